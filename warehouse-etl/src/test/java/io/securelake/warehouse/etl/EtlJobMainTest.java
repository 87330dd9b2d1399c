package io.securelake.warehouse.etl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class EtlJobMainTest {
    private static final Path STATE = Path.of("/tmp/etl-state");

    @Test
    void withoutAConfiguredMasterTheJobRunsLocally() {
        assertThat(EtlJobMain.sparkDefaults(new Properties(), STATE))
                .containsEntry("spark.master", "local[2]")
                .containsEntry("spark.sql.shuffle.partitions", "4")
                .containsEntry("spark.sql.warehouse.dir", STATE.resolve("warehouse").toUri().toString());
    }

    @Test
    void sparkSubmitsMasterAndSettingsWin() {
        // what spark-submit --master yarn --conf spark.sql.shuffle.partitions=200 leaves in the driver's properties
        Properties submitted = new Properties();
        submitted.setProperty("spark.master", "yarn");
        submitted.setProperty("spark.sql.shuffle.partitions", "200");
        assertThat(EtlJobMain.sparkDefaults(submitted, STATE))
                .doesNotContainKeys("spark.master", "spark.sql.shuffle.partitions")
                .containsKeys("spark.ui.enabled", "spark.sql.warehouse.dir");
    }
}
