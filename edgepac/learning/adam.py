"""Adam (Kingma & Ba, 2015), as tf.js's ``tf.train.adam`` does it, updating in place.

    m ← β1·m + (1−β1)·g            (running mean of the gradient)
    v ← β2·v + (1−β2)·g²           (running mean of its square)
    p ← p − lr · m̂ / (√v̂ + ε)      with m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)

With ``weight_decay`` > 0 it is AdamW (Loshchilov & Hutter): p ← p − lr·wd·p besides, decoupled
from the gradient so that it shrinks every weight by the same fraction.

In the code m and v are kept divided by (1−β1) and (1−β2): m ← β1·m + g needs no product with
(1−β1), and the constants come back in the step size. Every step reuses one scratch buffer per
parameter: the head's first layer has over a million weights, and fresh temporaries for each
element-wise pass would cost more than the passes themselves.
"""

from __future__ import annotations

import numpy as np

BLOCK = 32768  # elements: five arrays' blocks are 640 KB, within a core's L2 cache


class Adam:
    def __init__(
        self,
        params: list[np.ndarray],
        learning_rate: float,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-7,  # tf.js's float32 epsilon
        weight_decay: float = 0.0,
    ) -> None:
        if not all(p.flags.c_contiguous for p in params):
            raise ValueError("Adam updates its parameters in place: they must be contiguous")
        self.params = params
        self.learning_rate = learning_rate
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.weight_decay = weight_decay
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> None:
        """Move every parameter one step against its gradient (in place)."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step_size = self.learning_rate * (1.0 - b1) / (1.0 - b1**self.t)
        v_correction = (1.0 - b2) / (1.0 - b2**self.t)
        shrink = 1.0 - self.learning_rate * self.weight_decay
        for arrays in zip(self.params, grads, self.m, self.v, self._scratch, strict=True):
            flat = [a.reshape(-1) for a in arrays]
            # In blocks that stay in the CPU's cache for all ten passes: the first layer's
            # five arrays are 5 MB each, and pass after pass through memory cost more than the
            # arithmetic (most on a Pi, whose memory is slow). Element-wise: the same result.
            for start in range(0, len(flat[0]), BLOCK):
                p, g, m, v, tmp = (a[start : start + BLOCK] for a in flat)
                m *= b1
                m += g
                v *= b2
                np.multiply(g, g, out=tmp)
                v += tmp
                np.multiply(v, v_correction, out=tmp)
                np.sqrt(tmp, out=tmp)
                tmp += self.epsilon
                np.divide(m, tmp, out=tmp)
                tmp *= step_size
                if self.weight_decay:
                    p *= shrink
                p -= tmp
