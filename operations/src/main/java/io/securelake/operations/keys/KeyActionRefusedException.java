package io.securelake.operations.keys;

/** A key-administration action was refused (by the KMS, or by a rule of this platform); already audited. */
public final class KeyActionRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String action;
    private final String keyName;

    public KeyActionRefusedException(String action, String keyName, String message, Throwable cause) {
        super(message, cause);
        this.action = action;
        this.keyName = keyName;
    }

    public String action() {
        return action;
    }

    public String keyName() {
        return keyName;
    }
}
