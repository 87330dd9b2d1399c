package io.securelake.devstack.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a child JVM that people's requests reach (the query server, the gateway) is kept from the rest of the stack.
 * {@link #OS_USERS}: it runs as an unprivileged OS user of its own, which owns only its state and its own
 * credentials; every other keytab, the KMS keystore, the data-key repository and the people's passwords stay
 * root-only. {@link #LOGICAL_ONLY}: it runs as the user who ran {@code up} and is kept apart only by what it is
 * given (its own credentials), not by the OS; {@code reason} says why.
 *
 * @param user the OS user and its ids when {@code mode} is {@link #OS_USERS}
 */
record Isolation(String mode, Optional<OsUser> user, String reason) {
    static final String OS_USERS = "os-users";
    static final String LOGICAL_ONLY = "logical-only";

    /** An OS account: name, uid, primary gid. */
    record OsUser(String name, int uid, int gid) {
    }

    static Isolation osUser(OsUser user) {
        return new Isolation(OS_USERS, Optional.of(user), "runs as its own unprivileged OS user " + user.name());
    }

    static Isolation logicalOnly(String reason) {
        return new Isolation(LOGICAL_ONLY, Optional.empty(), reason);
    }

    boolean separateUser() {
        return user.isPresent();
    }

    ObjectNode toJson() {
        ObjectNode n = new ObjectMapper().createObjectNode().put("isolation", mode);
        user.ifPresent(u -> n.put("os_user", u.name()).put("uid", u.uid()).put("gid", u.gid()));
        return n.put("isolation_reason", reason);
    }

    void write(Path file) {
        try {
            Files.writeString(file, toJson().toPrettyString());
            // owner-only like everything directly in the stack home, which the services' users may traverse
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static Optional<Isolation> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode n = new ObjectMapper().readTree(file.toFile());
            Optional<OsUser> user = n.has("os_user")
                    ? Optional.of(new OsUser(n.path("os_user").asText(), n.path("uid").asInt(), n.path("gid").asInt()))
                    : Optional.empty();
            return Optional.of(new Isolation(n.path("isolation").asText(LOGICAL_ONLY), user, n.path("isolation_reason").asText("")));
        } catch (IOException e) {
            return Optional.empty(); // unreadable: reported as unknown
        }
    }
}
