package io.securelake.knox;

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

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = Secrets.createOwnerOnlyFile(file.resolveSibling("." + file.getFileName() + ".tmp"));
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ks.store(out, password);
        }
        Secrets.moveAtomically(tmp, file);
    }
}
