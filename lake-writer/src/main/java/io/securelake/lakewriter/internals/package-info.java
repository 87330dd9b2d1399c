/**
 * The lake-writer's parts that need no Kafka and no Kerberos: the raw zone's commit protocol over Hadoop's
 * {@code FileSystem} ({@link io.securelake.lakewriter.internals.RawZoneCommitter}), its named steps and the hook that
 * tests use to inject a fault at each of them. Public only because {@link io.securelake.lakewriter.LakeWriter} lives
 * in the parent package; not an API for other modules.
 */
package io.securelake.lakewriter.internals;
