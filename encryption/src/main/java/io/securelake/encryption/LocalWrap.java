package io.securelake.encryption;

import java.util.Objects;

/**
 * A data key sealed in this library (AES-256-GCM) under a dataset's {@link DekScope#WRAPPING wrapping key}, not by
 * the KMS: how a new data subject's key is made without a KMS round trip. Arrays are copied in and out.
 *
 * @param wrappingKey the wrapping key's id (a DEK of the same KEK, itself wrapped by the KMS)
 * @param nonce       12-byte GCM nonce of this seal
 * @param sealed      the key material encrypted, followed by the 16-byte tag
 */
public record LocalWrap(DekId wrappingKey, byte[] nonce, byte[] sealed) {

    public LocalWrap {
        Objects.requireNonNull(wrappingKey, "wrappingKey");
        nonce = nonce.clone();
        sealed = sealed.clone();
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public byte[] sealed() {
        return sealed.clone();
    }

    @Override
    public String toString() {
        return "LocalWrap[under " + wrappingKey + "]";
    }
}
