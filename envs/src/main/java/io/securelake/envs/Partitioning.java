package io.securelake.envs;

/** How a dataset's raw zone is partitioned by event time. */
public enum Partitioning {
    /** {@code dt=YYYY-MM-DD/hr=HH} */
    HOURLY,
    /** {@code dt=YYYY-MM-DD} */
    DAILY
}
