package io.securelake.devstack.kdc;

import io.securelake.envs.Principals;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kerby.kerberos.kerb.KrbCodec;
import org.apache.kerby.kerberos.kerb.KrbErrorCode;
import org.apache.kerby.kerberos.kerb.KrbException;
import org.apache.kerby.kerberos.kerb.server.KdcContext;
import org.apache.kerby.kerberos.kerb.server.KdcSetting;
import org.apache.kerby.kerberos.kerb.server.KdcUtil;
import org.apache.kerby.kerberos.kerb.server.impl.AbstractInternalKdcServer;
import org.apache.kerby.kerberos.kerb.server.impl.DefaultKdcHandler;
import org.apache.kerby.kerberos.kerb.server.preauth.PreauthHandler;
import org.apache.kerby.kerberos.kerb.transport.KdcNetwork;
import org.apache.kerby.kerberos.kerb.transport.KrbTransport;
import org.apache.kerby.kerberos.kerb.type.base.KrbError;
import org.apache.kerby.kerberos.kerb.type.base.KrbMessage;
import org.apache.kerby.kerberos.kerb.type.base.KrbMessageType;
import org.apache.kerby.kerberos.kerb.type.base.PrincipalName;
import org.apache.kerby.kerberos.kerb.type.kdc.KdcRep;
import org.apache.kerby.kerberos.kerb.type.kdc.KdcReq;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kerby's network KDC (the same request handling as its default implementation) that also tells a
 * {@link KdcExchangeListener} what it answered. Kerby has no such hook; its default server builds its request
 * handler internally, so this one is a copy of that wiring with a handler that looks at each request and reply.
 */
final class ObservedKdcServer extends AbstractInternalKdcServer {
    private static final Logger LOG = LoggerFactory.getLogger(ObservedKdcServer.class);

    private final KdcExchangeListener listener;
    private final Clock clock;
    private ExecutorService executor;
    private KdcNetwork network;

    ObservedKdcServer(KdcSetting setting, KdcExchangeListener listener, Clock clock) {
        super(setting);
        this.listener = listener;
        this.clock = clock;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        KdcContext context = new KdcContext(getSetting());
        context.setIdentityService(getIdentityService());
        PreauthHandler preauth = new PreauthHandler();
        preauth.init();
        context.setPreauthHandler(preauth);
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kdc-request");
            t.setDaemon(true);
            return t;
        });
        executor = threads;
        network = new KdcNetwork() {
            @Override
            protected void onNewTransport(KrbTransport transport) {
                threads.execute(new ObservingHandler(context, transport));
            }
        };
        network.init();
        network.listen(KdcUtil.getTransportPair(getSetting()));
        network.start();
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        if (network != null) {
            network.stop();
        }
        if (executor != null) {
            executor.shutdown();
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        }
    }

    private final class ObservingHandler extends DefaultKdcHandler {
        ObservingHandler(KdcContext context, KrbTransport transport) {
            super(context, transport);
        }

        @Override
        public ByteBuffer handleMessage(ByteBuffer request, boolean tcp, InetAddress remote) throws KrbException {
            ByteBuffer requestCopy = request.duplicate();
            ByteBuffer reply = super.handleMessage(request, tcp, remote);
            try {
                ByteBuffer replyCopy = reply.duplicate();
                if (tcp) {
                    replyCopy.position(replyCopy.position() + 4); // the TCP framing: length first
                }
                KdcExchange exchange = exchange(requestCopy, replyCopy, remote);
                if (exchange != null) {
                    listener.onExchange(exchange);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("KDC exchange with {} not reported: {}", remote, e.toString());
            }
            return reply;
        }
    }

    /** What was asked and answered; null for the first round of a login (pre-authentication requested). */
    KdcExchange exchange(ByteBuffer request, ByteBuffer reply, InetAddress remote) throws IOException {
        KrbMessage asked = KrbCodec.decodeMessage(request);
        KrbMessage answered = KrbCodec.decodeMessage(reply);
        if (!(asked instanceof KdcReq req)) {
            return null;
        }
        KdcExchange.Kind kind = asked.getMsgType() == KrbMessageType.TGS_REQ ? KdcExchange.Kind.TGS : KdcExchange.Kind.AS;
        String realm = req.getReqBody().getRealm();
        String service = name(req.getReqBody().getSname(), realm);
        String address = remote == null ? null : remote.getHostAddress();
        // Kerby verifies an encrypted timestamp (a wrong one is refused); other pre-authentication data it may
        // not check, so only this one counts as proof of the key.
        boolean preauthenticated = req.getPaData() != null
                && req.getPaData().findEntry(org.apache.kerby.kerberos.kerb.type.pa.PaDataType.ENC_TIMESTAMP) != null;
        if (answered instanceof KdcRep rep) {
            return new KdcExchange(clock.instant(), kind, name(rep.getCname(), rep.getCrealm()), service, address,
                    true, null, preauthenticated);
        }
        if (answered instanceof KrbError error) {
            KrbErrorCode code = error.getErrorCode();
            // Kerberos asks for pre-authentication before every login: a step of the protocol, not a refusal.
            if (code == KrbErrorCode.KDC_ERR_PREAUTH_REQUIRED) {
                return null;
            }
            String client = name(error.getCname(), error.getCrealm());
            if (client == null && kind == KdcExchange.Kind.AS) {
                client = name(req.getReqBody().getCname(), realm);
            }
            return new KdcExchange(clock.instant(), kind, client, service, address, false, describe(code, kind),
                    preauthenticated);
        }
        return null;
    }

    private static String describe(KrbErrorCode code, KdcExchange.Kind kind) {
        String meaning = switch (code) {
            case KDC_ERR_PREAUTH_FAILED -> "wrong password or key";
            // At login the client proves its key by encrypting a timestamp: Kerby reports a wrong one this way.
            case KRB_AP_ERR_BAD_INTEGRITY, KRB_AP_ERR_MODIFIED -> kind == KdcExchange.Kind.AS
                    ? "wrong password or key" : "ticket or request altered, or wrong key";
            case KDC_ERR_C_PRINCIPAL_UNKNOWN -> "no such client principal";
            case KDC_ERR_S_PRINCIPAL_UNKNOWN -> "no such service principal";
            case KDC_ERR_CLIENT_REVOKED -> "client principal disabled or locked";
            case KDC_ERR_ETYPE_NOSUPP -> "no common encryption type";
            case KRB_AP_ERR_SKEW -> "clock skew too great";
            case KRB_AP_ERR_TKT_EXPIRED -> "ticket expired";
            default -> code.getMessage();
        };
        return code.name() + ": " + meaning;
    }

    private static String name(PrincipalName name, String realm) {
        if (name == null || name.getName() == null) {
            return null;
        }
        String n = name.getName();
        if (realm == null) {
            return n;
        }
        try {
            return Principals.qualify(n, realm);
        } catch (IllegalArgumentException malformed) {
            // The name comes off the network as the client sent it: record it as sent rather than fail the exchange.
            return n;
        }
    }
}
