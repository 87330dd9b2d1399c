package io.securelake.policies.tools;

import io.securelake.policies.engine.PolicyFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The table of attacks kept beside an environment's policies ({@code adversarial-requests.txt}): one line
 * per attack, {@code door | person | expected | fragment | request}; see the file's header for the meaning
 * of each field. Parsing is strict: a line this class does not understand is an error naming the line,
 * so a mistyped attack never silently drops out of the suite.
 */
public final class AdversarialRequests {
    public static final String FILE = "adversarial-requests.txt";
    private static final List<String> DOORS = List.of("hive", "webhdfs");
    private static final List<String> HIVE_OUTCOMES = List.of("refused", "error", "allowed", "masked");

    /**
     * One attack.
     * @param line     line number in the file, for messages
     * @param expected for hive: refused, error, allowed or masked; for webhdfs: the HTTP status
     * @param fragment what the answer must contain (refused, error: {@code <>} matches any text), or the
     *                 regular expression every row must match (masked); empty for allowed
     */
    public record Request(int line, String door, String person, String expected, String fragment, String request) {
        /** Whether {@code answer} contains the fragment, {@code <>} in it standing for any text. */
        public boolean answerMatches(String answer) {
            String[] parts = fragment.split("<>", -1);
            StringBuilder regex = new StringBuilder("(?s).*");
            for (int i = 0; i < parts.length; i++) {
                regex.append(i == 0 ? "" : ".*").append(Pattern.quote(parts[i]));
            }
            return answer != null && answer.matches(regex.append(".*").toString());
        }

        @Override
        public String toString() {
            return FILE + ":" + line + " [" + door + " as " + person + "] " + request;
        }
    }

    private AdversarialRequests() {
    }

    public static Path file(Path policiesRoot, String environment) {
        return PolicyFiles.environmentDir(policiesRoot, environment).resolve(FILE);
    }

    public static List<Request> read(Path file) {
        try {
            return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static List<Request> parse(List<String> lines, String source) {
        List<Request> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                continue;
            }
            int n = i + 1;
            String[] f = raw.split(" \\| ", 5);
            if (f.length != 5) {
                throw new IllegalArgumentException(source + ":" + n + ": expected 'door | person | expected | fragment |"
                        + " request', got " + f.length + " fields");
            }
            String door = f[0].strip().toLowerCase(Locale.ROOT);
            String person = f[1].strip();
            String expected = f[2].strip().toLowerCase(Locale.ROOT);
            String fragment = f[3].strip();
            String request = f[4].strip();
            if (!DOORS.contains(door)) {
                throw new IllegalArgumentException(source + ":" + n + ": door: '" + door + "' is not one of " + DOORS);
            }
            if (person.isEmpty() || request.isEmpty()) {
                throw new IllegalArgumentException(source + ":" + n + ": person and request must not be empty");
            }
            if (door.equals("hive") && !HIVE_OUTCOMES.contains(expected)) {
                throw new IllegalArgumentException(source + ":" + n + ": expected: '" + expected + "' is not one of " + HIVE_OUTCOMES);
            }
            if (door.equals("hive") && !expected.equals("allowed") && fragment.isEmpty()) {
                throw new IllegalArgumentException(source + ":" + n + ": a " + expected + " line names what the answer must contain");
            }
            if (door.equals("webhdfs") && (!expected.matches("[1-5]\\d\\d") || !request.startsWith("GET /"))) {
                throw new IllegalArgumentException(source + ":" + n + ": a webhdfs line expects an HTTP status and requests 'GET /…'");
            }
            if (expected.equals("masked")) {
                Pattern.compile(fragment); // a broken expression is the table's error, not a failed attack
            }
            out.add(new Request(n, door, person, expected, fragment, request));
        }
        return List.copyOf(out);
    }
}
