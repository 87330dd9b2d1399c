package io.securelake.cli;

/** Process exit codes of the CLI, also listed in {@code securelake --help}. */
final class ExitCodes {
    static final int OK = 0;
    /** The operation failed or something was refused. */
    static final int FAILED = 1;
    /** Wrong command-line usage. */
    static final int USAGE = 2;
    /** The stack is not running. */
    static final int NOT_RUNNING = 3;
    /** The stack runs but a component is unhealthy. */
    static final int UNHEALTHY = 4;
    /** An environment definition is invalid. */
    static final int INVALID_ENVIRONMENT = 5;

    private ExitCodes() {
    }
}
