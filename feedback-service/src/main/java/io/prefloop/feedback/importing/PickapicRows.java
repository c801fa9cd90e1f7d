package io.prefloop.feedback.importing;

import io.prefloop.common.web.ApiException;
import io.prefloop.feedback.candidate.PngCheck;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Pick-a-Pic rows: {@code caption}, the two images and {@code label_0}/{@code label_1} (1/0, 0/1,
 * or 0.5/0.5 for a tie). An image is a base64 PNG in {@code jpg_i} or {@code image_i}, or, as this
 * service's pickapic export writes it, {@code image_i_url}: the URL of an image stored here.
 */
@Component
class PickapicRows {

    static final Set<String> FIELDS = Set.of("caption", "jpg_0", "jpg_1", "image_0", "image_1", "label_0", "label_1");

    private static final Pattern STORED = Pattern.compile("/v1/images/([0-9a-f]{64})\\.png$");

    private final Texts texts;
    private final PngCheck pngCheck;
    private final JdbcClient jdbc;

    PickapicRows(Texts texts, PngCheck pngCheck, JdbcClient jdbc) {
        this.texts = texts;
        this.pngCheck = pngCheck;
        this.jdbc = jdbc;
    }

    ImportRow parse(int row, JsonNode node, Map<String, Object> base) {
        JsonNode caption = node.get("caption");
        if (caption == null || caption.isNull()) {
            throw RowProblem.of(row, "caption", "is missing");
        }
        if (!caption.isString()) {
            throw RowProblem.of(row, "caption", "must be a string");
        }
        String prompt = texts.prompt(row, "caption", caption.asString());
        double label0 = label(row, node, "label_0");
        double label1 = label(row, node, "label_1");
        String outcome;
        if (label0 == 1 && label1 == 0) {
            outcome = "a";
        } else if (label0 == 0 && label1 == 1) {
            outcome = "b";
        } else if (label0 == 0.5 && label1 == 0.5) {
            outcome = "tie";
        } else {
            throw RowProblem.of(row, "label_1", "label_0/label_1 must be 1/0, 0/1 or 0.5/0.5 (a tie), not "
                    + node.get("label_0") + "/" + node.get("label_1"));
        }
        return new ImportRow(row, prompt, side(row, node, 0, base), side(row, node, 1, base), outcome);
    }

    private static double label(int row, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw RowProblem.of(row, field, "is missing");
        }
        if (!value.isNumber()) {
            throw RowProblem.of(row, field, "must be a number: 1, 0 or 0.5");
        }
        return value.asDouble();
    }

    private ImportRow.Side side(int row, JsonNode node, int i, Map<String, Object> base) {
        Map<String, Object> params = new LinkedHashMap<>(base);
        params.put("side", "image_" + i);
        JsonNode jpg = node.get("jpg_" + i);
        JsonNode image = node.get("image_" + i);
        boolean hasJpg = jpg != null && !jpg.isNull();
        boolean hasImage = image != null && !image.isNull();
        if (hasJpg && hasImage) {
            throw RowProblem.of(row, "image_" + i, "send one of jpg_" + i + " and image_" + i);
        }
        if (hasJpg || hasImage) {
            String field = hasJpg ? "jpg_" + i : "image_" + i;
            JsonNode value = hasJpg ? jpg : image;
            if (!value.isString()) {
                throw RowProblem.of(row, field, "must be a base64 PNG");
            }
            byte[] bytes;
            try {
                bytes = Base64.getMimeDecoder().decode(value.asString());
            } catch (IllegalArgumentException e) {
                throw RowProblem.of(row, field, "is not valid base64");
            }
            try {
                return new ImportRow.Side(null, pngCheck.check(bytes), null, params);
            } catch (ApiException e) {
                String message = e.errors().isEmpty() ? e.getMessage() : e.errors().get(0).message();
                throw RowProblem.of(row, field, message);
            }
        }
        JsonNode url = node.get("image_" + i + "_url");
        if (url == null || url.isNull()) {
            throw RowProblem.of(row, "jpg_" + i, "is missing: send the image as a base64 PNG in jpg_" + i + " or image_" + i);
        }
        Matcher stored = url.isString() ? STORED.matcher(url.asString()) : null;
        if (stored == null || !stored.find() || jdbc.sql("select count(*) from images where sha256 = ?")
                .param(stored.group(1)).query(Long.class).single() == 0) {
            throw RowProblem.of(row, "image_" + i + "_url", "is not an image stored in this service; send the PNG itself "
                    + "(base64) in jpg_" + i + " or image_" + i);
        }
        return new ImportRow.Side(null, null, stored.group(1), params);
    }
}
