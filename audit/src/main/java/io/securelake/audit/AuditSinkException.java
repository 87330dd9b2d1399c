package io.securelake.audit;

/** A sink could not accept or persist records; the message names the sink and the cause. */
public class AuditSinkException extends RuntimeException {
    public AuditSinkException(String message, Throwable cause) {
        super(message, cause);
    }

    public AuditSinkException(String message) {
        super(message);
    }
}
