package io.securelake.envs;

import java.util.List;
import java.util.stream.Collectors;

/** An environment definition was refused; {@link #problems()} says where and why, all at once. */
public final class InvalidEnvironmentException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<EnvironmentProblem> problems;

    public InvalidEnvironmentException(List<EnvironmentProblem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public List<EnvironmentProblem> problems() {
        return problems;
    }

    private static String describe(List<EnvironmentProblem> problems) {
        String head = problems.size() == 1 ? "invalid environment definition: "
                : "invalid environment definition (" + problems.size() + " problems):\n  ";
        return head + problems.stream().map(EnvironmentProblem::toString).collect(Collectors.joining("\n  "));
    }
}
