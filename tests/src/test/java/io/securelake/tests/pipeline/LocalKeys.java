package io.securelake.tests.pipeline;

import io.securelake.encryption.keys.HadoopKekProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates the KEKs an environment needs in a provider that does not have them yet: for the local stack's
 * keystore at {@code securelake up}. Against a KMS this is an administrator's act, not the producer's.
 */
final class LocalKeys {

    private LocalKeys() {
    }

    /** @return the KEKs that were created (existing ones are left alone) */
    static List<String> ensureKeks(URI providerUri, Collection<String> kekNames) {
        try (HadoopKekProvider provider = HadoopKekProvider.open(providerUri, Map.of())) {
            Set<String> existing = new HashSet<>(provider.listKekNames());
            List<String> created = new ArrayList<>();
            for (String name : kekNames) {
                if (!existing.contains(name)) {
                    provider.createKek(name);
                    created.add(name);
                }
            }
            return created;
        }
    }
}
