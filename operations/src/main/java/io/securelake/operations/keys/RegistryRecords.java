package io.securelake.operations.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.encryption.DekId;
import io.securelake.encryption.DekScope;
import io.securelake.encryption.LocalWrap;
import io.securelake.encryption.StoredDek;
import io.securelake.encryption.WrappedDek;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The records of {@link KafkaDekRegistry}: their keys ({@code dek/<kek>/<id>}, {@code claim/<kek>/<shared name>/<nonce>},
 * {@code change/<kek>/<id>/<revision>/<nonce>}) and the JSON of a stored key (never clear material: a KMS wrap or a
 * local seal, and its check value). The one place that writes and reads them, so both sides agree.
 */
final class RegistryRecords {

    static final ObjectMapper JSON = new ObjectMapper();

    private RegistryRecords() {
    }

    static byte[] dekKey(String kekName, DekId id) {
        return key("dek", kekName, id.hex());
    }

    static byte[] key(String... parts) {
        return String.join("/", parts).getBytes(StandardCharsets.UTF_8);
    }

    static ObjectNode dekRecord(StoredDek dek) {
        return dekJson(dek).put("type", "dek");
    }

    static ObjectNode dekJson(StoredDek dek) {
        Base64.Encoder b64 = Base64.getEncoder();
        ObjectNode o = JSON.createObjectNode();
        o.put("kek", dek.kekName()).put("id", dek.id().hex()).put("revision", dek.revision())
                .put("scope", dek.scope().name()).put("origin_kek_version", dek.originKekVersion())
                .put("created_at", dek.createdAt().toString());
        if (dek.sharedName() != null) {
            o.put("shared_name", dek.sharedName());
        }
        if (dek.destroyed()) {
            o.put("destroyed_at", dek.destroyedAt().toString());
            return o;
        }
        o.put("check_value", b64.encodeToString(dek.checkValue()));
        if (dek.wrappedByKms()) {
            o.put("kek_version", dek.wrapped().kekVersionName()).put("wrap_iv", b64.encodeToString(dek.wrapped().iv()))
                    .put("wrapped_key", b64.encodeToString(dek.wrapped().encryptedKey()));
        } else {
            o.put("wrapping_key", dek.localWrap().wrappingKey().hex())
                    .put("seal_nonce", b64.encodeToString(dek.localWrap().nonce()))
                    .put("sealed_key", b64.encodeToString(dek.localWrap().sealed()));
        }
        return o;
    }

    static StoredDek dekOf(JsonNode o) {
        Base64.Decoder b64 = Base64.getDecoder();
        String kek = text(o, "kek");
        boolean destroyed = o.hasNonNull("destroyed_at");
        WrappedDek wrapped = null;
        LocalWrap seal = null;
        if (!destroyed && o.hasNonNull("wrapping_key")) {
            seal = new LocalWrap(DekId.fromHex(text(o, "wrapping_key")), b64.decode(text(o, "seal_nonce")),
                    b64.decode(text(o, "sealed_key")));
        } else if (!destroyed) {
            wrapped = new WrappedDek(kek, text(o, "kek_version"), b64.decode(text(o, "wrap_iv")),
                    b64.decode(text(o, "wrapped_key")));
        }
        return new StoredDek(kek, DekId.fromHex(text(o, "id")), DekScope.valueOf(text(o, "scope")),
                o.hasNonNull("shared_name") ? o.get("shared_name").asText() : null, wrapped, seal,
                destroyed ? null : b64.decode(text(o, "check_value")), o.path("origin_kek_version").asInt(),
                Instant.parse(text(o, "created_at")), destroyed ? Instant.parse(text(o, "destroyed_at")) : null,
                o.path("revision").asLong());
    }

    static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("key registry record without '" + field + "'");
        }
        return v.asText();
    }

    static JsonNode readJson(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("key registry record is not JSON", e);
        }
    }
}
