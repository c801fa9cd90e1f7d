package io.prefloop.feedback.importing;

import io.prefloop.feedback.candidate.PngCheck;
import java.util.Map;

/**
 * One dataset row, checked and ready to store: the prompt, the two sides (a text or a PNG each),
 * the outcome ({@code a}, {@code b} or {@code tie}) and what each side's candidate keeps in its params.
 */
record ImportRow(int row, String prompt, Side a, Side b, String outcome) {

    /** @param png set for image rows; {@code imageSha256} instead when the image is already stored here */
    record Side(String text, PngCheck.CheckedPng png, String imageSha256, Map<String, Object> params) {}
}
