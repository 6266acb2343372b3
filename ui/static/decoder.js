// A VAE decoder that runs in the page: it reads a safetensors file written by vae/export.py (float16
// or float32 tensors, and in its metadata the layer list) and runs those layers on a latent code.
// Generic over the list: linear, unflatten, conv_transpose2d and element-wise activations.
(() => {
  "use strict";

  const ACTIVATIONS = {
    silu: (x) => x / (1 + Math.exp(-x)),
    relu: (x) => (x > 0 ? x : 0),
    tanh: Math.tanh,
    sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  };

  function halfToFloat(bits) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
    if (exponent === 31) return fraction ? NaN : sign * Infinity;
    return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }

  let halfTable = null; // every float16 bit pattern's value: a look-up per weight instead of a computation
  function halves(bits) {
    if (!halfTable) halfTable = Float32Array.from({ length: 65536 }, (_, i) => halfToFloat(i));
    const values = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++) values[i] = halfTable[bits[i]];
    return values;
  }

  // The tensors (as Float32Array, with their shapes) and the metadata of a safetensors file.
  function parseSafetensors(buffer) {
    const view = new DataView(buffer);
    const headerSize = Number(view.getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerSize)));
    const start = 8 + headerSize;
    const tensors = {};
    for (const [name, info] of Object.entries(header)) {
      if (name === "__metadata__") continue;
      const [begin, end] = info.data_offsets;
      const bytes = buffer.slice(start + begin, start + end);
      let values;
      if (info.dtype === "F32") values = new Float32Array(bytes);
      else if (info.dtype === "F16") values = halves(new Uint16Array(bytes));
      else throw new Error(`tensor ${name}: dtype ${info.dtype} is not supported`);
      tensors[name] = { values, shape: info.shape };
    }
    return { tensors, metadata: header.__metadata__ || {} };
  }

  // The sum of a[aStart + k] * b[bStart + k] for k < length, with four running sums, so that the
  // additions do not wait on each other (about 3x faster than one sum in V8).
  function dot(a, aStart, b, bStart, length) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
    for (; k + 3 < length; k += 4) {
      s0 += a[aStart + k] * b[bStart + k];
      s1 += a[aStart + k + 1] * b[bStart + k + 1];
      s2 += a[aStart + k + 2] * b[bStart + k + 2];
      s3 += a[aStart + k + 3] * b[bStart + k + 3];
    }
    for (; k < length; k++) s0 += a[aStart + k] * b[bStart + k];
    return s0 + s1 + s2 + s3;
  }

  function linear(x, weight, bias) {
    const [outputs, inputs] = weight.shape;
    if (x.values.length !== inputs) throw new Error(`linear layer expects ${inputs} inputs, got ${x.values.length}`);
    const w = weight.values, input = x.values;
    const y = new Float32Array(outputs);
    for (let o = 0; o < outputs; o++) y[o] = bias.values[o] + dot(w, o * inputs, input, 0, inputs);
    return { values: y, shape: [outputs] };
  }

  // PyTorch's ConvTranspose2d weight (in, out, kh, kw) reordered to (out, kh, kw, in), so that the
  // sum over input channels below reads both the weights and the input in order.
  function packConvWeight({ values, shape }) {
    const [inChannels, outChannels, kh, kw] = shape;
    const packed = new Float32Array(values.length);
    for (let c = 0; c < inChannels; c++)
      for (let o = 0; o < outChannels; o++)
        for (let k = 0; k < kh * kw; k++) packed[(o * kh * kw + k) * inChannels + c] = values[(c * outChannels + o) * kh * kw + k];
    return { values: packed, shape };
  }

  // PyTorch's ConvTranspose2d (groups 1, dilation 1) on input (in, h, w), computed per output pixel:
  // it gathers the input pixels whose kernel reaches it, channels last.
  function convTranspose2d(x, packed, bias, layer) {
    const [inChannels, outChannels, kh, kw] = packed.shape;
    const [channels, height, width] = x.shape;
    if (channels !== inChannels) throw new Error(`conv_transpose2d expects ${inChannels} channels, got ${channels}`);
    const [sy, sx] = layer.stride, [py, px] = layer.padding, [oy, ox] = layer.output_padding;
    const outHeight = (height - 1) * sy - 2 * py + kh + oy;
    const outWidth = (width - 1) * sx - 2 * px + kw + ox;
    const input = new Float32Array(x.values.length); // (h, w, in)
    for (let c = 0; c < channels; c++)
      for (let p = 0; p < height * width; p++) input[p * channels + c] = x.values[c * height * width + p];
    const w = packed.values;
    const y = new Float32Array(outChannels * outHeight * outWidth);
    for (let o = 0; o < outChannels; o++) {
      for (let row = 0; row < outHeight; row++) {
        for (let column = 0; column < outWidth; column++) {
          let sum = bias.values[o];
          for (let ky = (row + py) % sy; ky < kh; ky += sy) {
            const i = (row + py - ky) / sy;
            if (i < 0 || i >= height) continue;
            for (let kx = (column + px) % sx; kx < kw; kx += sx) {
              const j = (column + px - kx) / sx;
              if (j < 0 || j >= width) continue;
              sum += dot(w, ((o * kh + ky) * kw + kx) * channels, input, (i * width + j) * channels, channels);
            }
          }
          y[(o * outHeight + row) * outWidth + column] = sum;
        }
      }
    }
    return { values: y, shape: [outChannels, outHeight, outWidth] };
  }

  class Decoder {
    constructor(tensors, metadata) {
      this.tensors = tensors;
      this.layers = JSON.parse(metadata.layers);
      this.latentDim = Number(metadata.latent_dim);
      this.dataset = metadata.dataset;
      for (const layer of this.layers) {
        if (!(layer.type in ACTIVATIONS) && !["linear", "unflatten", "conv_transpose2d"].includes(layer.type)) {
          throw new Error(`the page cannot run a ${layer.type} layer`);
        }
        for (const key of ["weight", "bias"]) {
          if (layer[key] && !(layer[key] in tensors)) throw new Error(`tensor ${layer[key]} is missing`);
        }
        if (layer.type === "conv_transpose2d") layer.packed = packConvWeight(tensors[layer.weight]);
      }
    }

    // The decoder's output for one code z (an array of latentDim numbers): { values, shape }.
    decode(z) {
      if (z.length !== this.latentDim) throw new Error(`expected ${this.latentDim} latent values, got ${z.length}`);
      let x = { values: Float32Array.from(z), shape: [z.length] };
      for (const layer of this.layers) {
        if (layer.type === "linear") x = linear(x, this.tensors[layer.weight], this.tensors[layer.bias]);
        else if (layer.type === "unflatten") x = { values: x.values, shape: layer.shape };
        else if (layer.type === "conv_transpose2d") {
          x = convTranspose2d(x, layer.packed, this.tensors[layer.bias], layer);
        } else {
          const activation = ACTIVATIONS[layer.type];
          const values = new Float32Array(x.values.length);
          for (let i = 0; i < values.length; i++) values[i] = activation(x.values[i]);
          x = { values, shape: x.shape };
        }
      }
      return x;
    }
  }

  // A decoder's output (values in [0, 1], shape ending in height, width) as greyscale pixels on a canvas,
  // which takes the output's size.
  function paint(canvas, { values, shape }) {
    const [height, width] = shape.slice(-2);
    if (canvas.width !== width || canvas.height !== height) [canvas.width, canvas.height] = [width, height];
    const context = canvas.getContext("2d");
    const image = context.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      const grey = Math.round(Math.min(Math.max(values[i], 0), 1) * 255);
      image.data.set([grey, grey, grey, 255], 4 * i);
    }
    context.putImageData(image, 0, 0);
  }

  async function loadDecoder(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const { tensors, metadata } = parseSafetensors(await response.arrayBuffer());
    return new Decoder(tensors, metadata);
  }

  window.VaeDecoder = { loadDecoder, parseSafetensors, Decoder, paint };
})();
