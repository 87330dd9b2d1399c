package io.securelake.policies.engine;

import io.securelake.envs.RangerServiceType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.ranger.plugin.model.RangerServiceDef;

/** The service definitions Ranger ships inside ranger-plugins-common ({@code service-defs/}). */
public final class ServiceDefinitions {
    private ServiceDefinitions() {
    }

    /** A fresh copy each call: Ranger's engine may annotate the definition it is given. */
    public static RangerServiceDef load(RangerServiceType type) {
        String resource = "service-defs/ranger-servicedef-" + type.serviceDefName() + ".json";
        try (InputStream in = RangerServiceDef.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Ranger's service definition " + resource
                        + " is not on the class path (is ranger-plugins-common present?)");
            }
            return RangerJson.MAPPER.readValue(in, RangerServiceDef.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Ranger service definition " + resource, e);
        }
    }
}
