package io.ascribe.p2p;

import io.ascribe.core.crypto.Keccak;
import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.crypto.Secp256k1;
import io.ascribe.core.crypto.Signature;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Hash;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Binds a TLS certificate to a node key, as libp2p's TLS handshake does: TLS itself runs on a
 * throwaway P-256 key (the JDK's TLS 1.3 has no secp256k1), and the certificate carries an
 * extension with the node key's signature over that TLS public key. A peer's node id is the address
 * recovered from the signature, so a channel is authenticated by the node key without any
 * certificate authority.
 */
public final class CertificateBinding {
  /** The extension's OID, in the UUID arc (2.25) so it needs no registration. */
  static final ASN1ObjectIdentifier EXTENSION =
      new ASN1ObjectIdentifier("2.25.187436216133934785591046497123716209733");

  private static final byte[] DOMAIN = "ascribe/p2p/tls/v1".getBytes(StandardCharsets.US_ASCII);

  private CertificateBinding() {}

  /** A fresh TLS key pair and a self-signed certificate bound to {@code nodeKey}. */
  public record Credentials(KeyPair tlsKey, X509Certificate certificate) {}

  public static Credentials issue(PrivateKey nodeKey, SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair tlsKey = generator.generateKeyPair();
      byte[] binding = nodeKey.sign(digest(tlsKey.getPublic().getEncoded())).toBytes();
      Instant now = Instant.now();
      X500Name name = new X500Name("CN=ascribe-node");
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              new java.math.BigInteger(64, random),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(3650))),
              name,
              tlsKey.getPublic());
      builder.addExtension(EXTENSION, false, new DEROctetString(binding));
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(tlsKey.getPrivate())));
      return new Credentials(tlsKey, certificate);
    } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException("cannot create a TLS certificate: " + e.getMessage(), e);
    }
  }

  /**
   * The node id a certificate is bound to.
   *
   * @throws CertificateException when the certificate is not self-signed, out of date, or lacks a
   *     valid binding
   */
  public static Address nodeId(X509Certificate certificate) throws CertificateException {
    try {
      certificate.verify(certificate.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CertificateException("peer certificate is not properly self-signed");
    }
    certificate.checkValidity();
    byte[] extension = certificate.getExtensionValue(EXTENSION.getId());
    if (extension == null) {
      throw new CertificateException("peer certificate carries no node-key binding");
    }
    byte[] signature;
    try {
      ASN1OctetString outer = ASN1OctetString.getInstance(extension);
      signature = ASN1OctetString.getInstance(outer.getOctets()).getOctets();
      return Secp256k1.recoverAddress(
          digest(certificate.getPublicKey().getEncoded()), Signature.fromBytes(signature));
    } catch (IllegalArgumentException e) {
      throw new CertificateException(
          "peer certificate has a malformed node-key binding: " + e.getMessage());
    }
  }

  private static Hash digest(byte[] subjectPublicKeyInfo) {
    return Keccak.hash(DOMAIN, subjectPublicKeyInfo);
  }
}
