package io.securelake.policies.engine;

import java.nio.file.Path;

/** A policy file that cannot be used; the message names the file and what is wrong. */
public class PolicyFileException extends RuntimeException {
    private final Path file;

    public PolicyFileException(Path file, String message, Throwable cause) {
        super(file + " " + message, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
