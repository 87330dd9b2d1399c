package io.securelake.envs;

import java.util.Locale;

/** What a group of people does on the platform; policies are written against roles' groups. */
public enum Role {
    ADMIN, ANALYST, AUDITOR;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
