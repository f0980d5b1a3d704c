package io.ascribe.inference.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.ascribe.inference.Torch;
import java.util.function.Function;

/**
 * A training step's backward pass with activations recomputed layer by layer (gradient
 * checkpointing, as PEFT's QLoRA recipe turns on): the forward pass runs without autograd and keeps
 * only each decoder layer's input, then the backward pass runs from the top down, recomputing one
 * layer at a time with autograd on and handing the gradient of its input to the layer below. At no
 * point does more than one layer's graph exist, so what autograd keeps alive — above all an NF4
 * base's dequantised weights, which every product's backward needs — is one layer's instead of the
 * whole model's, for about one more forward pass of work. The gradients are those of the ordinary
 * pass: each layer runs the same operations on the same input.
 */
final class LayerRecompute {
  private final LlamaModel model;

  LayerRecompute(LlamaModel model) {
    this.model = model;
  }

  /** See {@link LlamaModel#backwardRecomputing}. */
  double backward(
      GradientCollector collector,
      NDArray ids,
      int[] lengths,
      Function<NDArray, NDArray> objective,
      double gradientScale,
      long seed,
      boolean training) {
    NDManager m = ids.getManager();
    TokenGrid grid = TokenGrid.of(lengths, ids.getShape(), m);
    NDArray real = ids.flatten().get(grid.real());
    LlamaModel.Pass pass = model.pass(real, grid, null, null);
    int layers = model.config().numHiddenLayers();
    NDArray[] inputs = new NDArray[layers + 1];
    Torch.withoutGradient(
        () -> {
          inputs[0] = inLayer(m, real, in -> model.embed(in, null));
          for (int l = 0; l < layers; l++) {
            int layer = l;
            inputs[l + 1] =
                inLayer(
                    m,
                    inputs[l],
                    in -> {
                      Torch.seed(seed + layer);
                      return model.layer(layer, in, pass, training);
                    });
          }
        });

    double value;
    NDArray gradient;
    try (NDManager top = m.newSubManager()) {
      NDArray in = leaf(inputs[layers], top);
      NDArray loss = objective.apply(model.logits(model.finalNorm(in, pass)));
      value = loss.toType(DataType.FLOAT64, false).getDouble();
      collector.backward(gradientScale == 1 ? loss : loss.mul(Torch.scalar(top, gradientScale)));
      gradient = LlamaModel.local(in.getGradient(), m);
    }
    boolean embeddingsTrain = model.embeddingsTrain();
    for (int l = layers - 1; l >= 0; l--) {
      // The first layer's input gradient is needed only where the embeddings train.
      boolean below = l > 0 || embeddingsTrain;
      try (NDManager sub = m.newSubManager()) {
        NDArray in = below ? leaf(inputs[l], sub) : constant(inputs[l], sub);
        // The same dropout masks as the forward pass drew for this layer.
        Torch.seed(seed + l);
        Torch.backward(model.layer(l, in, pass, training), gradient);
        gradient.close();
        gradient = below ? LlamaModel.local(in.getGradient(), m) : null;
      }
      inputs[l + 1].close();
    }
    if (embeddingsTrain) {
      try (NDManager sub = m.newSubManager()) {
        NDArray in = real.duplicate();
        in.attach(sub);
        Torch.backward(model.embed(in, null), gradient);
      }
    }
    return value;
  }

  // work(input) with its intermediates in a manager of their own, freed as soon as its output is
  // there; the output goes to m.
  private static NDArray inLayer(NDManager m, NDArray input, Function<NDArray, NDArray> work) {
    try (NDManager sub = m.newSubManager()) {
      return LlamaModel.local(work.apply(constant(input, sub)), m);
    }
  }

  // A copy of a kept input that autograd starts from: a leaf whose gradient is the layer's.
  private static NDArray leaf(NDArray input, NDManager sub) {
    NDArray in = constant(input, sub);
    in.setRequiresGradient(true);
    return in;
  }

  // A view of a kept input in sub, outside autograd.
  private static NDArray constant(NDArray input, NDManager sub) {
    NDArray in = input.stopGradient();
    in.attach(sub);
    return in;
  }
}
