package io.prefloop.model.text;

/** One preference in TRL's standard format: {"prompt", "chosen", "rejected"}. */
public record TextPreference(String prompt, String chosen, String rejected) {}
