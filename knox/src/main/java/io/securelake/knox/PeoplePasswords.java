package io.securelake.knox;

import io.securelake.envs.Environment;
import io.securelake.envs.Person;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The directory passwords of an environment's people: a properties file {@code person=password}, mode 600.
 * Created with random passwords when absent; people added to the environment later get one too. Passwords
 * are never logged; {@link #toString()} names people only.
 */
public final class PeoplePasswords {
    private static final char[] ALPHABET =
            "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();
    private static final int LENGTH = 20;

    private final Path file;
    private final Map<String, String> byPerson;

    private PeoplePasswords(Path file, Map<String, String> byPerson) {
        this.file = file;
        this.byPerson = Collections.unmodifiableMap(byPerson);
    }

    /**
     * Reads the file (creating it if absent) and makes sure every person of the environment has a password.
     * Entries for people no longer defined are kept (harmless: the directory only holds defined people).
     */
    public static PeoplePasswords loadOrCreate(Path file, Environment env) {
        Map<String, String> m = new TreeMap<>();
        try {
            if (Files.exists(file)) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                for (String k : p.stringPropertyNames()) {
                    m.put(k, p.getProperty(k));
                }
            }
            boolean changed = !Files.exists(file);
            for (Person person : env.people()) {
                String pw = m.get(person.name());
                if (pw == null || pw.isEmpty()) {
                    m.put(person.name(), random());
                    changed = true;
                }
            }
            if (changed) {
                write(file, m);
            } else {
                Secrets.restrictToOwner(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the people's passwords " + file, e);
        }
        return new PeoplePasswords(file, m);
    }

    private static void write(Path file, Map<String, String> m) throws IOException {
        Properties p = new Properties() {
            // stable order in the file
            @Override
            public synchronized java.util.Enumeration<Object> keys() {
                return Collections.enumeration(new java.util.TreeSet<>(super.keySet()));
            }

            @Override
            public java.util.Set<Map.Entry<Object, Object>> entrySet() {
                java.util.Set<Map.Entry<Object, Object>> s = new java.util.TreeSet<>(
                        java.util.Comparator.comparing(e -> e.getKey().toString()));
                s.addAll(super.entrySet());
                return s;
            }
        };
        p.putAll(m);
        java.io.StringWriter w = new java.io.StringWriter();
        p.store(w, "securelake: directory passwords of the environment's people (keep private)");
        Secrets.writeAtomically(file, w.toString());
    }

    /**
     * Reads {@code person=<stored password>} (RFC 2307 form, e.g. {@code {SSHA256}…}) written by whoever keeps the
     * clear passwords; values that are not in that form are refused, so a clear password is never put into the
     * directory as if it were a hash.
     */
    public static Map<String, byte[]> readStored(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the people's password hashes " + file, e);
        }
        Map<String, byte[]> stored = new TreeMap<>();
        for (String person : p.stringPropertyNames()) {
            String value = p.getProperty(person);
            if (!value.matches("\\{[A-Z0-9-]+}[A-Za-z0-9+/=]+")) {
                throw new IllegalArgumentException(file + ": the entry of '" + person
                        + "' is not a stored password ({SCHEME}base64)");
            }
            stored.put(person, value.getBytes(StandardCharsets.US_ASCII));
        }
        return stored;
    }

    static String random() {
        SecureRandom r = new SecureRandom();
        char[] c = new char[LENGTH];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[r.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }

    public Path file() {
        return file;
    }

    public String passwordOf(String person) {
        String pw = byPerson.get(person);
        if (pw == null) {
            throw new IllegalArgumentException("no password for '" + person + "' in " + file);
        }
        return pw;
    }

    /** person → password, for the directory. */
    public Map<String, String> asMap() {
        return new LinkedHashMap<>(byPerson);
    }

    @Override
    public String toString() {
        return "PeoplePasswords[" + file + ", people=" + byPerson.keySet() + "]";
    }
}
