package io.securelake.ingest.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Appends one JSON object per line to a local file (owner-only), flushed per record. */
public final class JsonLinesAuditSink implements AuditSink {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final OutputStream out;

    public JsonLinesAuditSink(Path file) {
        this.file = file.toAbsolutePath();
        try {
            Files.createDirectories(this.file.getParent());
            if (!Files.exists(this.file)) {
                Files.createFile(this.file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            out = Files.newOutputStream(this.file, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open audit log " + this.file, e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void write(AuditRecord r) {
        ObjectNode line = JSON.createObjectNode();
        line.put("time", r.time().toString());
        line.put("environment", r.environment());
        line.put("actor", r.actor());
        line.put("action", r.action());
        line.put("resource", r.resource());
        line.put("outcome", r.outcome());
        line.put("reason", r.reason());
        ObjectNode details = line.putObject("details");
        r.details().forEach(details::put);
        try {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to audit log " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close audit log " + file, e);
        }
    }
}
