// The wide gather's far and near fields, as the passes after it read them: bilinear
// upsampling in hardware from half (or quarter) resolution. Include after
// common/constants.glsl.
uniform sampler2D u_far;     // the gather's far field (premultiplied by its weight), bilinear
uniform sampler2D u_near;    // the gather's near field (premultiplied by coverage), bilinear
uniform int u_fields_scale;  // u_far and u_near are 1/2 or 1/4 of the frame's size

// The far field is premultiplied by its upsampling weight (see gather.glsl), so dividing
// by alpha makes one bilinear read a weighted average; alpha 0 means no texel around
// gathered anything.
vec4 upsample_far(vec2 position) {
    vec4 sum = texture(u_far, position / (float(u_fields_scale) * vec2(textureSize(u_far, 0))));
    return sum.a > 0.0 ? vec4(sum.rgb / sum.a, 1.0) : vec4(0.0);
}

// The near field's colour and coverage alpha. It is stored premultiplied, so a texel the
// near field does not cover (alpha 0) does not darken its neighbours' colour.
vec4 upsample_near(vec2 position) {
    vec4 sum = texture(u_near, position / (float(u_fields_scale) * vec2(textureSize(u_near, 0))));
    return sum.a > 0.0 ? vec4(sum.rgb / sum.a, sum.a) : vec4(0.0);
}
