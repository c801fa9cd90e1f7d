package io.prefloop.trainer.job;

import io.prefloop.common.web.ApiException;
import io.prefloop.common.web.FieldProblem;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.springframework.http.HttpStatus;

/** Checks a job's reference images: DCO needs 1–64 of them; no other method takes any. */
final class ReferenceImages {

    static final int MAX_PNG_BYTES = 256 * 1024;
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private ReferenceImages() {}

    static List<ReferenceImage> check(Method method, List<ReferenceImage> references) {
        List<ReferenceImage> given = references == null ? List.of() : references;
        if (method != Method.DCO) {
            if (!given.isEmpty()) {
                throw ApiException.invalid("references", "only dco takes reference images");
            }
            return given;
        }
        if (given.isEmpty()) {
            throw ApiException.invalid("references", "dco needs 1 to 64 reference images (candidate ids or uploads)");
        }
        List<FieldProblem> problems = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            ReferenceImage r = given.get(i);
            String field = "references[" + i + "]";
            boolean upload = r.imageBase64() != null;
            if ((r.candidate() == null) == !upload) {
                problems.add(new FieldProblem(field, "give either candidate or image_base64 (with prompt), not both"));
            } else if (upload && (r.prompt() == null || r.prompt().isBlank())) {
                problems.add(new FieldProblem(field + ".prompt", "is required with an uploaded image"));
            } else if (upload) {
                checkPng(field + ".image_base64", r.imageBase64(), problems);
            } else if (r.prompt() != null) {
                problems.add(new FieldProblem(field + ".prompt", "comes from the candidate; leave it out"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "Invalid reference images",
                    problems.get(0).field() + ": " + problems.get(0).message(), problems);
        }
        return given;
    }

    private static void checkPng(String field, String base64, List<FieldProblem> problems) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            problems.add(new FieldProblem(field, "is not valid base64"));
            return;
        }
        if (bytes.length > MAX_PNG_BYTES) {
            problems.add(new FieldProblem(field, "is larger than " + MAX_PNG_BYTES + " bytes"));
        } else if (bytes.length < PNG.length || !java.util.Arrays.equals(bytes, 0, PNG.length, PNG, 0, PNG.length)) {
            problems.add(new FieldProblem(field, "is not a PNG image"));
        }
    }
}
