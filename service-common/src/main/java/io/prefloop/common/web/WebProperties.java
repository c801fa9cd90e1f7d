package io.prefloop.common.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** @param maxRequestSize largest request body accepted; larger ones get 413 */
@ConfigurationProperties("prefloop.web")
public record WebProperties(@DefaultValue("16MB") DataSize maxRequestSize) {}
