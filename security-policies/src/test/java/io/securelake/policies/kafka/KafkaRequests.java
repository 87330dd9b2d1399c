package io.securelake.policies.kafka;

import java.net.InetAddress;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.server.authorizer.Action;

/** Kafka's own request data objects, as the broker builds them for its authorizer. */
public final class KafkaRequests {
    private KafkaRequests() {
    }

    public static RequestContext context(String user, ApiKeys api) {
        try {
            return new RequestContext(new RequestHeader(api, api.latestVersion(), "client-" + user, 42),
                    "conn-1", InetAddress.getByName("127.0.0.1"), new KafkaPrincipal(KafkaPrincipal.USER_TYPE, user),
                    ListenerName.normalised("SASL_PLAINTEXT"), SecurityProtocol.SASL_PLAINTEXT,
                    ClientInformation.EMPTY, false);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Action action(AclOperation op, ResourceType type, String name) {
        return new Action(op, new ResourcePattern(type, name, PatternType.LITERAL), 1, true, true);
    }
}
