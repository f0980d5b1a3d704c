package io.ascribe.ledger.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TuningSpecTest {
  @Test
  void everySettingOutOfRangeIsNamedInOneList() {
    List<TuningSpec.Violation> violations =
        TuningSpec.violations(
            TuningSpec.Method.PTUNING, new TuningSpec.Hyperparameters(0, 16, 0, 0, 70_000), 6_000);

    assertThat(violations)
        .extracting(TuningSpec.Violation::setting)
        .containsExactly("rank", "alpha", "learningRate", "epochs", "batchSize", "evalBps");
    assertThat(violations)
        .extracting(TuningSpec.Violation::message)
        .contains(
            "alpha (unused by P-tuning) must be in [0, 0], got 16",
            "learning rate must be in [0.000000001, 1], got 0");
  }

  @Test
  void aLoraJobInRangeHasNoViolationsAndMethodsReadAsUsersWriteThem() {
    assertThat(
            TuningSpec.violations(
                TuningSpec.Method.QLORA_NF4,
                new TuningSpec.Hyperparameters(8, 16, 200_000, 2, 4),
                2_000))
        .isEmpty();
    assertThat(TuningSpec.Method.ofLabel("qlora")).contains(TuningSpec.Method.QLORA_NF4);
    assertThat(TuningSpec.Method.ofLabel("QLORA_NF4")).isEmpty();
    assertThat(TuningSpec.Method.PTUNING.label()).isEqualTo("ptuning");
  }
}
