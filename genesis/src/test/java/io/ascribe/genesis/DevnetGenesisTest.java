package io.ascribe.genesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.core.types.Address;
import io.ascribe.core.types.Amount;
import io.ascribe.genesis.Genesis.Allocation;
import io.ascribe.genesis.Genesis.GenesisValidator;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevnetGenesisTest {
  @Test
  void passesValidation() {
    assertThatCode(() -> GenesisRules.validate(DevnetGenesis.create())).doesNotThrowAnyException();
  }

  @Test
  void devAccountsAreAnvilsAccounts() {
    List<PrivateKey> accounts = DevnetGenesis.devAccounts();
    assertThat(accounts).hasSize(10);
    assertThat(accounts.get(0).toHex())
        .isEqualTo("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    assertThat(accounts.get(0).address())
        .isEqualTo(Address.fromHex("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
    assertThat(accounts.get(9).address())
        .isEqualTo(Address.fromHex("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"));
  }

  @Test
  void fundsEachDevAccountWithAMillionOpen() {
    List<Allocation> allocations = DevnetGenesis.create().allocations();
    assertThat(allocations)
        .extracting(Allocation::address)
        .containsExactlyElementsOf(
            DevnetGenesis.devAccounts().stream().map(PrivateKey::address).toList());
    assertThat(allocations)
        .extracting(Allocation::balance)
        .containsOnly(BigInteger.TEN.pow(24)); // 1,000,000 × 10^18 wei
  }

  @Test
  void firstDevAccountIsTheOnlyValidatorWithItsStakeApartFromItsBalance() {
    Genesis genesis = DevnetGenesis.create();
    Address first = DevnetGenesis.devAccounts().get(0).address();
    assertThat(genesis.validators())
        .containsExactly(new GenesisValidator(first, Amount.parseOpen("100000")));
    assertThat(genesis.allocations().get(0))
        .isEqualTo(new Allocation(first, Amount.parseOpen("1000000")));
  }

  @Test
  void chainIdTimeAndParamsAreTheDocumentedOnes() {
    Genesis genesis = DevnetGenesis.create();
    assertThat(genesis.chainId()).isEqualTo(1337);
    assertThat(genesis.genesisTime()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(genesis.params())
        .isEqualTo(
            new ProtocolParams(
                1_000,
                100,
                2,
                Amount.parseOpen("1000"),
                Amount.parseOpen("0.000001"),
                10_000,
                new ProtocolParams.FeeSplit(2_000, 8_000),
                1_000,
                new AiParams(
                    new AiParams.WorkFeeSplit(4_000, 1_500, 1_500, 1_000, 1_000, 1_000),
                    new AiParams.Jobs(
                        0,
                        Amount.parseOpen("1000"),
                        Amount.parseOpen("1"),
                        10_000,
                        5_000,
                        1_000,
                        100),
                    new AiParams.Inference(Amount.parseOpen("0.01"), 100, 100, 5_000),
                    new AiParams.Slashing(500, 1_000))));
  }

  @Test
  void blockTimeCanBeChosenWithinTheRules() {
    assertThat(DevnetGenesis.create(250).params().blockTimeMs()).isEqualTo(250);
    assertThatThrownBy(() -> DevnetGenesis.create(5))
        .isInstanceOfSatisfying(
            InvalidGenesisException.class,
            e -> assertThat(e.field()).isEqualTo("params.blockTimeMs"));
  }
}
