package io.securelake.devstack.local;

/** A child of the stack that could not be started: which one, and why (the message). */
final class ChildStartFailure extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final String child;

    ChildStartFailure(String child, RuntimeException cause) {
        super(cause.getMessage(), cause);
        this.child = child;
    }

    String child() {
        return child;
    }
}
