package io.securelake.envs;

/** Ranger service definitions the platform uses (named as Ranger ships them). */
public enum RangerServiceType {
    KAFKA("kafka"), HDFS("hdfs"), HIVE("hive"), KNOX("knox");

    private final String serviceDefName;

    RangerServiceType(String serviceDefName) {
        this.serviceDefName = serviceDefName;
    }

    public String serviceDefName() {
        return serviceDefName;
    }
}
