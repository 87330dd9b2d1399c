package io.securelake.warehouse.authz;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.policies.api.MaskDecision;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression$;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/** The mask expressions evaluated directly (no Spark session), against Hive's transformer semantics. */
class MaskExpressionsTest {

    @Test
    void showLast4KeepsTheLastFourAndSeparators() {
        assertThat(mask("MASK_SHOW_LAST_4", "4111111111111111")).isEqualTo("xxxxxxxxxxxx1111");
        assertThat(mask("MASK_SHOW_LAST_4", "5500-0000-0000-0004")).isEqualTo("xxxx-xxxx-xxxx-0004");
        assertThat(mask("MASK_SHOW_LAST_4", "AbC-12345")).isEqualTo("xxx-x2345");
        assertThat(mask("MASK_SHOW_LAST_4", "1234")).isEqualTo("1234");
        assertThat(mask("MASK_SHOW_LAST_4", "12")).isEqualTo("12");
        assertThat(mask("MASK_SHOW_LAST_4", "")).isEqualTo("");
        assertThat(mask("MASK_SHOW_LAST_4", null)).isNull();
    }

    @Test
    void showFirst4AndFullMask() {
        assertThat(mask("MASK_SHOW_FIRST_4", "4111111111111111")).isEqualTo("4111xxxxxxxxxxxx");
        assertThat(mask("MASK", "Ab-9 z")).isEqualTo("Xx-n x");
    }

    @Test
    void hashIsSha256HexAndNullIsNull() {
        assertThat(mask("MASK_HASH", "Ann Smith")).isEqualTo(RangerSparkExtensionTest.sha256("Ann Smith"));
        assertThat(mask("MASK_NULL", "ann@example.com")).isNull();
        assertThat(mask("MASK_NONE", "kept")).isEqualTo("kept");
        assertThat(mask("SOME_FUTURE_TYPE", "secret")).isNull();
    }

    @Test
    void numbersKeepTheirTypeWithDigitsMaskedAsOnes() {
        assertThat(eval("MASK_SHOW_LAST_4", DataTypes.LongType, 123456789L)).isEqualTo(111116789L);
        assertThat(eval("MASK_SHOW_LAST_4", DataTypes.IntegerType, -98765)).isEqualTo(-18765);
        assertThat(eval("MASK", DataTypes.LongType, 4242L)).isEqualTo(1111L);
        assertThat(eval("MASK_HASH", DataTypes.LongType, 4242L)).isNull();
    }

    @Test
    void dateShowYearKeepsTheYear() {
        int day = (int) LocalDate.of(2024, 7, 19).toEpochDay();
        Object out = eval("MASK_DATE_SHOW_YEAR", DataTypes.DateType, day);
        assertThat(DateTimeUtils.daysToLocalDate((Integer) out)).isEqualTo(LocalDate.of(2024, 1, 1));
        assertThat(eval("MASK_SHOW_LAST_4", DataTypes.DateType, day)).isNull();
    }

    private static String mask(String type, String value) {
        Object out = eval(type, DataTypes.StringType, value == null ? null : UTF8String.fromString(value));
        return out == null ? null : out.toString();
    }

    private static Object eval(String type, DataType dt, Object value) {
        AttributeReference col = new AttributeReference("c", dt, true, Metadata.empty(),
                NamedExpression$.MODULE$.newExprId(), Scala.seq(List.of()));
        Expression e = MaskExpressions.build(new MaskDecision(Optional.of(type), Optional.empty(), Optional.empty()), col,
                text -> { throw new AssertionError("no custom mask here"); });
        assertThat(e.resolved()).isTrue();
        assertThat(e.dataType()).isEqualTo(dt);
        Expression bound = e.transform(Scala.partial(x -> x instanceof AttributeReference,
                x -> new BoundReference(0, dt, true)));
        return bound.eval(InternalRow.apply(Scala.seq(java.util.Collections.singletonList(value))));
    }
}
