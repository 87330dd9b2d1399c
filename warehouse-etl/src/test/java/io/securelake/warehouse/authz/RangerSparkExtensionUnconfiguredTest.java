package io.securelake.warehouse.authz;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CurrentUserContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The extension without its configuration refuses everything, even statements that read nothing. */
class RangerSparkExtensionUnconfiguredTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[1]").appName("authz-unconfigured")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.extensions", RangerSparkExtension.class.getName())
                .config(AuthzSettings.ENVIRONMENT, "dev") // the other three keys are missing
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void everyStatementIsRefusedWithTheReason() {
        String reason = "Permission denied: securelake authorization is not configured (the Spark configuration lacks"
                + " spark.securelake.envs.dir, spark.securelake.policies.dir, spark.securelake.audit.dir);"
                + " every statement is refused";
        for (String sql : new String[] {"SELECT 1", "SHOW DATABASES", "CREATE DATABASE x", "SET a=b"}) {
            assertThatThrownBy(() -> spark.sql(sql).collectAsList()).as(sql)
                    .isInstanceOf(AccessDeniedException.class).hasMessage(reason);
            CurrentUserContext.CURRENT_USER().set("alice");
            try {
                assertThatThrownBy(() -> spark.sql(sql).collectAsList()).as(sql).hasMessage(reason);
            } finally {
                CurrentUserContext.CURRENT_USER().remove();
            }
        }
    }
}
