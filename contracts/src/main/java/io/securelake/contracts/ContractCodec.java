package io.securelake.contracts;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import io.securelake.contracts.files.DurableLocalFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one JSON codec for every document of {@link Contract}: what one process writes and another reads. Strict on
 * reading: the version field is checked first (another version is refused, saying which), then an unknown field,
 * a missing one (every field is written, {@code null} where there is nothing to say), a null where a value is
 * required, a number where text belongs, or a state nobody writes, is a {@link ContractException} naming the file
 * and the field. Writing goes through {@link DurableLocalFiles#writeAtomically}: a reader sees the old document or
 * the new one, never half.
 *
 * <p>Only Jackson databind APIs that 2.15 (Spark's class path) and 2.18 (the rest) share are used. Instants are
 * ISO-8601 text, written and parsed here rather than with jackson-datatype-jsr310, which not every class path has.
 */
public final class ContractCodec {
    @SuppressWarnings("deprecation") // ALLOW_COERCION_OF_SCALARS: the one switch 2.15 and 2.18 both honour
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            // "42" is not a number and 1 is not a boolean: a writer that sends them has a bug worth seeing.
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .addModule(new SimpleModule("securelake-contracts")
                    .addSerializer(Instant.class, new InstantSerializer())
                    .addDeserializer(Instant.class, new InstantDeserializer()))
            .build();
    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();
    private static final Pattern MISSING_CREATOR_PROPERTY = Pattern.compile("Missing (?:required )?creator property '([^']+)'");

    private ContractCodec() {
    }

    /** The document as JSON (pretty, version field first, a final newline), as it is written to files. */
    public static <T> byte[] toJson(Contract<T> contract, T document) {
        ObjectNode out = MAPPER.createObjectNode();
        out.put(contract.versionField(), contract.version());
        JsonNode body = MAPPER.valueToTree(document);
        if (!body.isObject()) {
            throw new IllegalArgumentException(contract.document() + " must be a JSON object, got " + body.getNodeType());
        }
        out.setAll((ObjectNode) body);
        try {
            return (PRETTY.writeValueAsString(out) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + contract.document(), e);
        }
    }

    /** The document as a JSON tree, e.g. to embed it in a larger answer. */
    public static <T> ObjectNode toTree(Contract<T> contract, T document) {
        try {
            return (ObjectNode) MAPPER.readTree(toJson(contract, document));
        } catch (IOException e) {
            throw new IllegalStateException("cannot render " + contract.document(), e);
        }
    }

    /**
     * Replaces {@code file} with the document atomically and durably.
     *
     * @param permissions the file's mode, e.g. owner-only for a document naming keytabs and passwords; empty: the
     *                    process's default (umask)
     */
    public static <T> void write(Path file, Contract<T> contract, T document, Optional<Set<PosixFilePermission>> permissions) {
        byte[] json = toJson(contract, document);
        try {
            if (permissions.isPresent()) {
                DurableLocalFiles.writeAtomically(file, json, permissions.get());
            } else {
                DurableLocalFiles.writeAtomically(file, json);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + contract.document() + " to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a document that must be there. */
    public static <T> T read(Path file, Contract<T> contract) {
        return readIfPresent(file, contract).orElseThrow(() -> new UncheckedIOException(
                new NoSuchFileException(file.toString(), null, "no " + contract.document() + " here")));
    }

    /**
     * Reads a document that may not be there (yet, or any more): empty when there is no file. A file that is there
     * but breaks the contract is a {@link ContractException}, never "empty": writers replace their files atomically,
     * so a reader never meets half a document, and garbage is a bug to report, not to wait out.
     */
    public static <T> Optional<T> readIfPresent(Path file, Contract<T> contract) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + contract.document() + " " + file + ": " + e.getMessage(), e);
        }
        return Optional.of(parse(bytes, file.toString(), contract));
    }

    /** Parses a document; {@code source} names it in messages (a file name, "the core's answer"). */
    public static <T> T parse(byte[] json, String source, Contract<T> contract) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ContractException(source, null, "not a JSON document (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (tree == null || !tree.isObject()) {
            throw new ContractException(source, null, "the " + contract.document() + " must be a JSON object", null);
        }
        ObjectNode body = ((ObjectNode) tree).deepCopy();
        JsonNode version = body.remove(contract.versionField());
        if (version == null || !version.isIntegralNumber()) {
            throw new ContractException(source, contract.versionField(), "missing or not a number: this is no "
                    + contract.document() + " document of securelake (or one from before versions were written)", null);
        }
        if (version.asInt() != contract.version()) {
            throw new ContractException(source, contract.versionField(), "written as version " + version.asText()
                    + ", this securelake reads version " + contract.version() + " only: the writer is "
                    + (version.asInt() < contract.version() ? "older" : "newer")
                    + " (restart it from this build, e.g. 'securelake down' and 'up')", null);
        }
        try {
            return MAPPER.readerFor(contract.type()).readValue(body);
        } catch (JsonMappingException e) {
            throw explain(source, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ContractException explain(String source, JsonMappingException e) {
        String path = path(e);
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : " (known: " + u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", ")) + ")";
            return new ContractException(source, path, "unknown field" + known, e);
        }
        if (e instanceof ValueInstantiationException && e.getCause() instanceof Fields.InvalidField f) {
            return new ContractException(source, join(path, f.field()), f.problem(), e);
        }
        if (e instanceof ValueInstantiationException && e.getCause() != null) {
            return new ContractException(source, path, e.getCause().getMessage(), e);
        }
        if (e instanceof InvalidFormatException f) {
            return new ContractException(source, path, "'" + f.getValue() + "' is not a valid "
                    + f.getTargetType().getSimpleName(), e);
        }
        Matcher missing = MISSING_CREATOR_PROPERTY.matcher(e.getOriginalMessage());
        if (e instanceof MismatchedInputException && missing.find()) {
            // Jackson 2.18 puts the missing property in the path, 2.15 does not
            String field = path.equals(missing.group(1)) || path.endsWith("." + missing.group(1)) ? path : join(path, missing.group(1));
            return new ContractException(source, field, "missing (every field is written; "
                    + "null where there is nothing to say)", e);
        }
        return new ContractException(source, path, e.getOriginalMessage(), e);
    }

    private static String path(JsonMappingException e) {
        StringBuilder s = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                s.append(s.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                s.append('[').append(r.getIndex()).append(']');
            }
        }
        return s.toString();
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private static final class InstantSerializer extends StdScalarSerializer<Instant> {
        InstantSerializer() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.toString());
        }
    }

    private static final class InstantDeserializer extends StdScalarDeserializer<Instant> {
        InstantDeserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(com.fasterxml.jackson.core.JsonToken.VALUE_STRING)) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
            }
            String text = p.getText();
            try {
                return Instant.parse(text);
            } catch (DateTimeException e) {
                return (Instant) ctxt.handleWeirdStringValue(Instant.class, text,
                        "not an ISO-8601 instant such as 2026-01-31T12:00:00Z");
            }
        }
    }
}
