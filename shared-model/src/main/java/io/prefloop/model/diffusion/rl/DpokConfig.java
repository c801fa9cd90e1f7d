package io.prefloop.model.diffusion.rl;

/**
 * How DPOK trains on one sampled batch (google-research/dpok train_online_pg.py names in brackets).
 *
 * @param trainBatch trajectories per gradient update [p_batch_size × gradient_accumulation_steps]
 * @param innerEpochs passes over the sampled batch [p_step per g_step]
 * @param timestepFraction share of each trajectory's steps trained on per pass (DPOK draws single
 *     (trajectory, step) pairs at random; a fraction of each trajectory's steps has the same expectation)
 * @param valueBatch states per value-function regression step [v_batch_size, 256]
 */
public record DpokConfig(int trainBatch, int innerEpochs, double timestepFraction, int valueBatch) {}
