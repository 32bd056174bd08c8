// How colour_invd (the prepare pass's target, mipmapped) stores inverse depth: its alpha
// is 1/depth times the texel's light weight (luminance plus a floor), so a mip level's
// alpha over its colour's weight is the light-weighted mean inverse depth of the pixels
// under it (luminance is linear in colour, so a box average keeps the quotient exact).
// A coarse texel holding a small bright light and the dark sky round it then takes the
// light's depth, so the light's blur keeps its own size where the preview, which has no
// layer moments, reads it coarse (a plain mean gave its bokeh the sky's CoC on the dark
// side of each texel and its own on the light: a disc too wide with a bright centre).
// The same weight splits the final's layer moments (layers.glsl).
#ifndef INVERSE_DEPTH_GLSL
#define INVERSE_DEPTH_GLSL

// The weight a pixel's inverse depth is averaged with: luminance, plus a floor so dark
// pixels still count. dofviewer/render/gl/targets.py: light_weight() must agree.
const float LIGHT_WEIGHT_FLOOR = 0.01;
float light_weight(vec3 color) {
    return dot(color, vec3(0.2126, 0.7152, 0.0722)) + LIGHT_WEIGHT_FLOOR;
}

// colour_invd's texel for a pixel of linear colour `color` at 1/depth `inverse_depth`
// (0 for the sky). Below half-float's largest value, which only a light of luminance
// over 65000 at 1 m would reach.
vec4 color_with_inverse_depth(vec3 color, float inverse_depth) {
    return vec4(color, min(inverse_depth * light_weight(color), 65000.0));
}

// The inverse depth (1/m) stored in a colour_invd texel, of any mip level.
float inverse_depth_of(vec4 color_invd) {
    return color_invd.a / light_weight(color_invd.rgb);
}
#endif
