package io.securelake.policies.api;

import io.securelake.envs.RangerServiceType;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One question to a Ranger service: may {@code user} (in {@code groups}) perform {@code accessType} on
 * {@code resource}? Resource keys and access types are those of the service definition Ranger ships
 * (e.g. kafka: {@code topic} / {@code publish}; hdfs: {@code path} / {@code write}).
 *
 * @param resource      resource elements in hierarchy order, e.g. {@code database, table, column}
 * @param clientAddress may be null when unknown
 * @param requestId     correlates audit records of one client request; may be empty
 */
public record AccessRequest(RangerServiceType service, String user, Set<String> groups,
                            Map<String, String> resource, String accessType, String clientAddress,
                            String requestId) {

    public AccessRequest {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(user, "user");
        groups = Set.copyOf(groups);
        resource = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(resource));
        Objects.requireNonNull(accessType, "accessType");
        requestId = requestId == null ? "" : requestId;
    }

    public static AccessRequest of(RangerServiceType service, String user, Set<String> groups,
                                   Map<String, String> resource, String accessType) {
        return new AccessRequest(service, user, groups, resource, accessType, null, "");
    }

    /** The resource in the notation used by audit and messages: {@code key=value;key=value}. */
    public String resourceString() {
        return resource.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(";"));
    }
}
