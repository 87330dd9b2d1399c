package io.securelake.devstack.kdc;

import java.time.Instant;
import java.util.Objects;

/**
 * One request the KDC answered: a ticket-granting ticket (AS, the login) or a service ticket (TGS), granted or
 * refused. Kerberos is where every client of the platform proves who it is, so this is the authentication
 * decision of every stage.
 *
 * @param client        {@code name@REALM} of the requesting principal, or null when the request did not say
 *                      and the refusal did not either (e.g. an undecodable request)
 * @param service       {@code name[/host]@REALM} of the service the ticket is for ({@code krbtgt/REALM@REALM}
 *                      for a login)
 * @param clientAddress the requester's IP address
 * @param error         for a refusal, Kerberos's error name and what it means; null when granted
 * @param preauthenticated for a login, whether the client proved its key to the KDC (encrypted timestamp).
 *                      Without it the KDC still answers, with a ticket only the key's holder can decrypt: a
 *                      wrong password then fails on the client, unseen by the KDC
 */
public record KdcExchange(Instant time, Kind kind, String client, String service, String clientAddress,
                          boolean granted, String error, boolean preauthenticated) {
    /** AS: a login (ticket-granting ticket); TGS: a ticket for one service. */
    public enum Kind { AS, TGS }

    public KdcExchange {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        if (granted != (error == null)) {
            throw new IllegalArgumentException("a granted exchange has no error, a refused one has one");
        }
    }
}
