package io.securelake.kerberos;

import java.util.Objects;

/** A Kerberos login failed; {@link #problem()} says why, the message says what to do. */
public class KerberosLoginException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final KerberosProblem problem;

    public KerberosLoginException(KerberosProblem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    public KerberosProblem problem() {
        return problem;
    }
}
