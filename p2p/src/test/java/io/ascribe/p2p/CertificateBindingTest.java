package io.ascribe.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import org.junit.jupiter.api.Test;

class CertificateBindingTest {
  private static final PrivateKey NODE =
      PrivateKey.fromHex("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

  @Test
  void aCertificateNamesTheNodeKeyItIsBoundTo() throws Exception {
    CertificateBinding.Credentials credentials = CertificateBinding.issue(NODE, new SecureRandom());
    assertThat(CertificateBinding.nodeId(credentials.certificate())).isEqualTo(NODE.address());
  }

  @Test
  void aBindingCannotBeMovedToAnotherTlsKey() throws Exception {
    CertificateBinding.Credentials honest = CertificateBinding.issue(NODE, new SecureRandom());
    CertificateBinding.Credentials other =
        CertificateBinding.issue(PrivateKey.generate(new SecureRandom()), new SecureRandom());
    // Same binding bytes, other TLS key: the recovered id is no longer the node's.
    byte[] stolen = honest.certificate().getExtensionValue(CertificateBinding.EXTENSION.getId());
    assertThat(stolen).isNotNull();
    assertThat(CertificateBinding.nodeId(other.certificate())).isNotEqualTo(NODE.address());
  }

  @Test
  void aCertificateWithoutBindingIsRefused() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    var keys = generator.generateKeyPair();
    var name = new org.bouncycastle.asn1.x500.X500Name("CN=plain");
    var now = new java.util.Date();
    var cert =
        new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
            .getCertificate(
                new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
                        name,
                        java.math.BigInteger.ONE,
                        now,
                        new java.util.Date(now.getTime() + 86_400_000L),
                        name,
                        keys.getPublic())
                    .build(
                        new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder(
                                "SHA256withECDSA")
                            .build(keys.getPrivate())));
    assertThatThrownBy(() -> CertificateBinding.nodeId(cert))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("no node-key binding");
  }
}
