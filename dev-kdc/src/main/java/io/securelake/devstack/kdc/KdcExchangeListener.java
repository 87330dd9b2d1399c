package io.securelake.devstack.kdc;

/**
 * Told of every ticket request the embedded KDC answered (see {@link EmbeddedKdc#start(KdcSettings,
 * KdcExchangeListener)}). Called on the KDC's request threads after the answer is ready and before it is sent:
 * keep it short and do not throw (a failure is logged, the client still gets its answer).
 */
@FunctionalInterface
public interface KdcExchangeListener {
    void onExchange(KdcExchange exchange);
}
