package io.securelake.devstack.tls;

import io.securelake.envs.EnvironmentNames;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Optional;
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
 * The local stack's TLS: a private CA generated on first start, a server certificate for
 * {@code localhost} it signs (Kafka, WebHDFS, the KMS), and the query server's own certificate for
 * {@code 127.0.0.1}. Clients trust the CA (PKCS12 truststore for Java, PEM for curl and
 * kcat). Nothing here is ever committed: it is created under the stack's home at start.
 *
 * @param keystore         PKCS12 with the server key and chain (alias {@link #SERVER_ALIAS})
 * @param truststore       PKCS12 with the CA certificate
 * @param caPem            the CA certificate in PEM
 * @param keystorePassword also the key password
 */
public record TlsMaterial(Path keystore, Path truststore, Path caPem, String keystorePassword,
                          String truststorePassword) {
    public static final String SERVER_ALIAS = "server";
    private static final String CA_ALIAS = "securelake-local-ca";
    private static final String QUERY_KEYSTORE = "query.p12";

    /** The query server's own TLS identity (PKCS12, alias {@link #SERVER_ALIAS}; the password is also the key's). */
    public record ServiceKeystore(Path keystore, String password) {
    }

    /**
     * Loads the material under {@code dir}, creating it first if absent or incomplete (material from before the
     * query server had its own certificate is replaced as a whole: a new CA). Only the core calls this, at its
     * start; services started later {@link #load} what it made.
     */
    public static TlsMaterial ensure(Path dir, String environment) {
        try {
            Optional<TlsMaterial> existing = load(dir).filter(m -> queryKeystore(dir).isPresent());
            if (existing.isPresent()) {
                return existing.get();
            }
            Files.createDirectories(dir);
            return create(dir.resolve("server.p12"), dir.resolve("truststore.p12"), dir.resolve("ca.pem"),
                    dir.resolve("store-passwords"), dir.resolve(QUERY_KEYSTORE), environment);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare TLS material in " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate TLS material: " + e.getMessage(), e);
        }
    }

    /** The material the core made under {@code dir}, without creating any. */
    public static Optional<TlsMaterial> load(Path dir) {
        Path keystore = dir.resolve("server.p12");
        Path truststore = dir.resolve("truststore.p12");
        Path caPem = dir.resolve("ca.pem");
        Path secrets = dir.resolve("store-passwords");
        try {
            if (Files.exists(keystore) && Files.exists(truststore) && Files.exists(caPem) && Files.exists(secrets)) {
                String[] pw = Files.readString(secrets).trim().split("\n");
                return Optional.of(new TlsMaterial(keystore, truststore, caPem, pw[0], pw[1]));
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TLS material in " + dir, e);
        }
    }

    /**
     * The query server's own key and certificate, for {@code 127.0.0.1} only: the stack's shared server key (Kafka,
     * WebHDFS, the KMS, for {@code localhost}) is never given to it, so holding its keystore does not let anyone
     * pose as those services.
     */
    public static Optional<ServiceKeystore> queryKeystore(Path dir) {
        Path keystore = dir.resolve(QUERY_KEYSTORE);
        Path secrets = dir.resolve("store-passwords");
        try {
            if (!Files.exists(keystore) || !Files.exists(secrets)) {
                return Optional.empty();
            }
            String[] pw = Files.readString(secrets).trim().split("\n");
            return pw.length < 3 ? Optional.empty() : Optional.of(new ServiceKeystore(keystore, pw[2]));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TLS material in " + dir, e);
        }
    }

    private static TlsMaterial create(Path keystore, Path truststore, Path caPem, Path secrets, Path queryKeystore,
                                      String environment)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        SecureRandom random = new SecureRandom();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048, random);
        KeyPair caKeys = rsa.generateKeyPair();
        KeyPair serverKeys = rsa.generateKeyPair();
        Instant now = Instant.now();
        X500Name caName = new X500Name("CN=securelake local CA (" + environment + "),O=securelake");
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

        X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(caName, serial(random),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(3650))), caName,
                caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
        X509Certificate ca = sign(caBuilder, caKeys);

        X509v3CertificateBuilder serverBuilder = new JcaX509v3CertificateBuilder(ca, serial(random),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(825))),
                new X500Name("CN=localhost,O=securelake"), serverKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                .addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())}))
                .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
        X509Certificate server = sign(serverBuilder, caKeys);

        KeyPair queryKeys = rsa.generateKeyPair();
        X509v3CertificateBuilder queryBuilder = new JcaX509v3CertificateBuilder(ca, serial(random),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(825))),
                new X500Name("CN=" + EnvironmentNames.LOCAL_QUERY_HOST + ",O=securelake"), queryKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                // the address it is dialled at, and nothing else: no "localhost", where the other services are
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                        new GeneralName(GeneralName.iPAddress, EnvironmentNames.LOCAL_QUERY_HOST)))
                .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
        X509Certificate query = sign(queryBuilder, caKeys);

        String keystorePassword = secret(random);
        String truststorePassword = secret(random);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(SERVER_ALIAS, serverKeys.getPrivate(), keystorePassword.toCharArray(), new Certificate[] {server, ca});
        store(ks, keystore, keystorePassword);
        String queryPassword = secret(random);
        KeyStore qs = KeyStore.getInstance("PKCS12");
        qs.load(null, null);
        qs.setKeyEntry(SERVER_ALIAS, queryKeys.getPrivate(), queryPassword.toCharArray(), new Certificate[] {query, ca});
        store(qs, queryKeystore, queryPassword);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry(CA_ALIAS, ca);
        store(ts, truststore, truststorePassword);
        try (Writer w = Files.newBufferedWriter(caPem, StandardCharsets.US_ASCII)) {
            w.write("-----BEGIN CERTIFICATE-----\n");
            w.write(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ca.getEncoded()));
            w.write("\n-----END CERTIFICATE-----\n");
        }
        Files.writeString(secrets, keystorePassword + "\n" + truststorePassword + "\n" + queryPassword + "\n");
        ownerOnly(secrets);
        return new TlsMaterial(keystore, truststore, caPem, keystorePassword, truststorePassword);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(issuer.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static void store(KeyStore ks, Path file, String password) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password.toCharArray());
        }
        ownerOnly(file);
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(64, random).abs().add(BigInteger.ONE);
    }

    private static String secret(SecureRandom random) {
        byte[] b = new byte[18];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static void ownerOnly(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
