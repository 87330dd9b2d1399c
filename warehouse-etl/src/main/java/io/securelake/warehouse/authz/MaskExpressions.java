package io.securelake.warehouse.authz;

import io.securelake.policies.api.MaskDecision;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Concat;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Greatest;
import org.apache.spark.sql.catalyst.expressions.Length;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.Mask;
import org.apache.spark.sql.catalyst.expressions.Sha2;
import org.apache.spark.sql.catalyst.expressions.Substring;
import org.apache.spark.sql.catalyst.expressions.Subtract;
import org.apache.spark.sql.catalyst.expressions.TruncDate;
import org.apache.spark.sql.catalyst.expressions.TruncTimestamp;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Spark expressions for the mask types of Ranger's hive service definition.
 * <p>{@link MaskDecision#expression()} carries the service definition's <em>Hive</em> transformer (e.g.
 * {@code mask_show_last_n({col}, 4, 'x', 'x', 'x', -1, '1')}), whose functions are Hive UDFs a Spark
 * session does not register, and whose names a session's temporary function could shadow. So built-in
 * mask types are built here from Catalyst's own expression classes, with the semantics of those
 * transformers:
 * <table>
 * <tr><th>mask type</th><th>string</th><th>byte/short/int/long</th><th>date, timestamp</th></tr>
 * <tr><td>MASK_SHOW_LAST_4</td><td>letters and digits but the last 4 characters become {@code x},
 * other characters kept</td><td>digits but the last 4 become 1</td><td>NULL</td></tr>
 * <tr><td>MASK_SHOW_FIRST_4</td><td>likewise, the first 4 shown</td><td>likewise</td><td>NULL</td></tr>
 * <tr><td>MASK</td><td>upper {@code X}, lower {@code x}, digits {@code n}</td><td>digits become 1</td><td>NULL</td></tr>
 * <tr><td>MASK_HASH</td><td>SHA-256, hex (deliberately not the MD5 of hive-exec 2.3.9's mask_hash on Spark's
 * class path: same role, a digest without known collisions; values differ from Hive 2.3's)</td><td colspan=2>NULL</td></tr>
 * <tr><td>MASK_DATE_SHOW_YEAR</td><td>letters and digits become {@code x}</td><td>NULL</td><td>1 January of the year</td></tr>
 * <tr><td>MASK_NULL</td><td colspan=3>NULL</td></tr>
 * <tr><td>MASK_NONE</td><td colspan=3>the value</td></tr>
 * <tr><td>CUSTOM</td><td colspan=3>the policy's expression, {@code {col}} being the column, parsed and
 * resolved by the session (cast back to the column's type)</td></tr>
 * </table>
 * Any other type, or a mask type this class does not know, shows NULL: a value that cannot be masked
 * as the policy says is hidden, never shown.
 */
final class MaskExpressions {
    private MaskExpressions() {
    }

    /**
     * @param custom resolves a CUSTOM mask's expression text for the column (only called for CUSTOM)
     * @return a resolved expression of the column's type
     */
    static Expression build(MaskDecision decision, Attribute col, Function<String, Expression> custom) {
        String type = decision.maskType().orElse("MASK_NONE");
        DataType dt = col.dataType();
        boolean string = dt instanceof StringType;
        boolean integral = dt instanceof ByteType || dt instanceof ShortType || dt instanceof IntegerType
                || dt instanceof LongType;
        Expression out = switch (type) {
            case "MASK_NONE" -> col;
            case "MASK_NULL" -> nullOf(dt);
            case "MASK_HASH" -> string
                    ? new Sha2(castTo(col, DataTypes.BinaryType), Literal.create(256, DataTypes.IntegerType)) : nullOf(dt);
            case "MASK" -> string ? mask(col, "X", "x", "n")
                    : integral ? castTo(mask(castTo(col, DataTypes.StringType), null, null, "1"), dt) : nullOf(dt);
            case "MASK_SHOW_LAST_4" -> string ? showLast(col, 4, "x", "x", "x")
                    : integral ? castTo(showLast(castTo(col, DataTypes.StringType), 4, null, null, "1"), dt) : nullOf(dt);
            case "MASK_SHOW_FIRST_4" -> string ? showFirst(col, 4, "x", "x", "x")
                    : integral ? castTo(showFirst(castTo(col, DataTypes.StringType), 4, null, null, "1"), dt) : nullOf(dt);
            case "MASK_DATE_SHOW_YEAR" -> dt instanceof DateType ? new TruncDate(col, str("YEAR"))
                    : dt instanceof TimestampType || dt instanceof TimestampNTZType
                    ? new TruncTimestamp(str("YEAR"), col, Scala.option(SQLConf.get().sessionLocalTimeZone()))
                    : string ? mask(col, "x", "x", "x") : nullOf(dt);
            case "CUSTOM" -> decision.expression().map(custom).map(e -> castTo(e, dt)).orElse(nullOf(dt));
            default -> nullOf(dt);
        };
        return out.resolved() ? out : nullOf(dt);
    }

    /** Hive's mask_show_last_n(col, n, upper, lower, digit, -1): all but the last n characters masked. */
    static Expression showLast(Expression s, int n, String upper, String lower, String digit) {
        Expression len = new Length(s);
        Expression head = new Substring(s, intLit(1), new Greatest(Scala.seq(List.of(new Subtract(len, intLit(n)), intLit(0)))));
        Expression tail = new Substring(s, new Greatest(Scala.seq(List.of(new Subtract(len, intLit(n - 1)), intLit(1)))),
                intLit(Integer.MAX_VALUE));
        return new Concat(Scala.seq(List.of(mask(head, upper, lower, digit), tail)));
    }

    /** Hive's mask_show_first_n: all but the first n characters masked. */
    static Expression showFirst(Expression s, int n, String upper, String lower, String digit) {
        Expression head = new Substring(s, intLit(1), intLit(n));
        Expression tail = new Substring(s, intLit(n + 1), intLit(Integer.MAX_VALUE));
        return new Concat(Scala.seq(List.of(head, mask(tail, upper, lower, digit))));
    }

    /** Spark's mask(): a null replacement keeps that class of characters; other characters are kept. */
    static Expression mask(Expression s, String upper, String lower, String digit) {
        return new Mask(s, str(upper), str(lower), str(digit), str(null));
    }

    private static Expression castTo(Expression e, DataType dt) {
        return e.dataType().sameType(dt) ? e : new Cast(e, dt, Scala.option(null));
    }

    private static Literal nullOf(DataType dt) {
        return Literal.create(null, dt);
    }

    private static Literal str(String s) {
        return Literal.create(s, DataTypes.StringType);
    }

    private static Literal intLit(int i) {
        return Literal.create(i, DataTypes.IntegerType);
    }
}
