package io.securelake.contracts;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.util.Objects;

/**
 * One kind of document exchanged between processes: its Java type, what it is called in messages, and the
 * version field every such document carries. The version is written by {@link ContractCodec} and checked before
 * anything else is read: a reader accepts exactly {@link #version()} and refuses an older or newer writer with
 * a message saying so, instead of guessing at fields it does not know. A contract that one day tolerates an
 * older writer must say so here, by accepting that version explicitly.
 *
 * @param document     what the document is called in messages ({@code endpoints}, {@code lake-writer status})
 * @param versionField the JSON field holding the version ({@code endpoints_version})
 * @param version      the only version this build reads and writes
 */
public record Contract<T>(JavaType type, String document, String versionField, int version) {
    public Contract {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(document, "document");
        Objects.requireNonNull(versionField, "versionField");
        if (version < 1) {
            throw new IllegalArgumentException("a contract version starts at 1, got " + version);
        }
    }

    public static <T> Contract<T> of(Class<T> type, String document, String versionField, int version) {
        return new Contract<>(TypeFactory.defaultInstance().constructType(type), document, versionField, version);
    }

    /** A generic document, e.g. {@code ServiceStatus<LakeWriterFigures>}. */
    public static <T> Contract<T> parametric(Class<?> raw, Class<?> parameter, String document, String versionField,
                                             int version) {
        return new Contract<>(TypeFactory.defaultInstance().constructParametricType(raw, parameter), document,
                versionField, version);
    }
}
