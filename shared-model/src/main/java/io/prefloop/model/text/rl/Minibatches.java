package io.prefloop.model.text.rl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** A fresh random permutation of the rollouts per epoch, cut into equal minibatches (TRL's b_inds). */
final class Minibatches {

    private Minibatches() {}

    static List<int[]> of(int size, int count, Random random) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int per = Math.max(1, (size + count - 1) / count);
        List<int[]> out = new ArrayList<>();
        for (int start = 0; start < size; start += per) {
            out.add(Arrays.copyOfRange(order, start, Math.min(size, start + per)));
        }
        return out;
    }
}
