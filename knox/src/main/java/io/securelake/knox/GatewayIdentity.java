package io.securelake.knox;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The gateway's TLS identity, made with BouncyCastle (Knox's own self-signed generation fails on JDK 17):
 * an RSA key and a self-signed server certificate for {@code localhost}, {@code 127.0.0.1} and the host's
 * name, in a PKCS12 keystore under Knox's alias {@code gateway-identity} protected by the master secret,
 * plus a truststore holding only that certificate for clients (beeline, curl, JDBC).
 */
public final class GatewayIdentity {
    public static final String KEY_ALIAS = "gateway-identity";
    private static final Duration VALIDITY = Duration.ofDays(365);

    private final X509Certificate certificate;

    private GatewayIdentity(X509Certificate certificate) {
        this.certificate = certificate;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Below this remaining validity a kept identity is replaced at the next start. */
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    /**
     * The identity kept in {@code dir} across gateway starts, so that clients' truststores stay valid after a
     * restart: reused while its certificate has at least {@link #RENEW_BEFORE} left, otherwise (or if missing
     * or unreadable) made anew. {@code dir} holds {@code identity.p12} and the generated passwords of it and of
     * the clients' {@code truststore}, all owner-only. Knox's own keystore ({@code knoxKeystore}, protected by
     * this start's master secret) is written from it each time.
     *
     * @return the identity and the password of the clients' truststore
     */
    public static Kept loadOrCreate(String environment, Path dir, Path truststore, Path knoxKeystore, char[] masterSecret,
                                    Clock clock) throws IOException, GeneralSecurityException {
        Secrets.ownerOnlyDirectory(dir);
        Path kept = dir.resolve("identity.p12");
        char[] keptPassword = password(dir.resolve("identity.password"));
        char[] truststorePassword = password(dir.resolve("truststore.password"));
        KeyStore identity = KeyStore.getInstance("PKCS12");
        boolean reuse = false;
        if (Files.exists(kept) && Files.exists(truststore)) {
            try (InputStream in = Files.newInputStream(kept)) {
                identity.load(in, keptPassword);
                X509Certificate cert = (X509Certificate) identity.getCertificate(KEY_ALIAS);
                reuse = cert != null && identity.isKeyEntry(KEY_ALIAS)
                        && cert.getNotAfter().toInstant().isAfter(clock.instant().plus(RENEW_BEFORE));
            } catch (IOException | GeneralSecurityException unreadable) {
                reuse = false;
            }
        }
        if (!reuse) {
            create(environment, kept, keptPassword, truststore, truststorePassword);
            try (InputStream in = Files.newInputStream(kept)) {
                identity.load(in, keptPassword);
            }
        }
        KeyStore knox = KeyStore.getInstance("PKCS12");
        knox.load(null, null);
        X509Certificate cert = (X509Certificate) identity.getCertificate(KEY_ALIAS);
        knox.setKeyEntry(KEY_ALIAS, identity.getKey(KEY_ALIAS, keptPassword), masterSecret, new X509Certificate[]{cert});
        store(knox, knoxKeystore, masterSecret);
        return new Kept(new GatewayIdentity(cert), truststore, new String(truststorePassword), reuse);
    }

    /** A kept identity: its certificate, the clients' truststore and its password, and whether it was reused. */
    public record Kept(GatewayIdentity identity, Path truststore, String truststorePassword, boolean reused) {
    }

    /** The generated password in {@code file}, created (owner-only) at first use. */
    private static char[] password(Path file) throws IOException {
        if (!Files.exists(file)) {
            Secrets.writeAtomically(file, PeoplePasswords.random());
        }
        return Files.readString(file, StandardCharsets.UTF_8).strip().toCharArray();
    }

    /**
     * Writes a fresh identity keystore (password = {@code keystorePassword}) and the clients' truststore
     * (password = {@code truststorePassword}); both PKCS12, mode 600.
     */
    public static GatewayIdentity create(String environment, Path keystore, char[] keystorePassword, Path truststore,
                                         char[] truststorePassword) throws IOException, GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048, new SecureRandom());
        KeyPair pair = gen.generateKeyPair();
        X500Name subject = new X500Name("CN=localhost, OU=knox " + environment + ", O=securelake");
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject,
                new BigInteger(127, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans()));
        ContentSigner signer;
        try {
            signer = new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate());
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the gateway certificate", e);
        }
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer));

        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(KEY_ALIAS, pair.getPrivate(), keystorePassword, new X509Certificate[]{cert});
        store(ks, keystore, keystorePassword);

        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("securelake-knox-" + environment, cert);
        store(ts, truststore, truststorePassword);
        return new GatewayIdentity(cert);
    }

    private static GeneralName[] sans() {
        Set<GeneralName> names = new LinkedHashSet<>();
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        try {
            InetAddress local = InetAddress.getLocalHost();
            names.add(new GeneralName(GeneralName.dNSName, local.getHostName()));
            String canonical = local.getCanonicalHostName();
            if (!canonical.equals(local.getHostAddress())) {
                names.add(new GeneralName(GeneralName.dNSName, canonical));
            }
        } catch (IOException e) {
            // no resolvable host name: localhost and 127.0.0.1 are what the local stack uses anyway
        }
        List<GeneralName> list = new ArrayList<>(names);
        return list.toArray(new GeneralName[0]);
    }

    private static void store(KeyStore ks, Path file, char[] password) throws IOException, GeneralSecurityException {
        try (java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream()) {
            ks.store(out, password);
            Secrets.writeAtomically(file, out.toByteArray());
        }
    }
}
