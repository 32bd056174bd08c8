#version 330 core
// The scene pass for loaded models (glTF 2.0, OBJ): glTF's metallic-roughness material
// (Lambert diffuse, GGX specular with the height-correlated Smith visibility) under the
// scene's key light and flat ambient, plus emission, in linear HDR; and the object id.
// Specular highlights and emissive parts are what turn into bokeh, so they stay
// unclamped. Units follow shaders/scene/lit.glsl: a white Lambert surface facing the key
// light returns light_color + ambient, so both passes light a scene alike.
//
// Compile-time switches (dofviewer/render/gl/model_draw.py picks them per material, since a
// software rasteriser pays for both sides of a branch):
//   NORMAL_MAP     sample the tangent-space normal texture;
//   TANGENTS       the mesh has glTF tangents (else a per-pixel cotangent frame);
//   VERTEX_COLOR   multiply the base colour by COLOR_0;
//   ALPHA_MODE     1 = MASK (discard under the cutoff), 2 = BLEND (alpha out, for the
//                  blended pass: dofviewer/render/gl/scene_pass.py draws it last, back to
//                  front, without writing depth or ids);
//   UNLIT          KHR_materials_unlit: the base colour is the radiance;
//   SHEEN          KHR_materials_sheen's colour and roughness factors (fabric);
//   PEEL           the second layer: skip the object the first layer shows here.

#if defined VERTEX_SHADER
layout(location = 0) in vec3 in_position;
layout(location = 1) in vec3 in_normal;
layout(location = 2) in vec2 in_uv0;
layout(location = 3) in vec2 in_uv1;
layout(location = 4) in vec4 in_color;
layout(location = 5) in vec4 in_tangent;
layout(location = 6) in mat4 in_instance;  // the node's world matrix (× GPU instance)
uniform mat4 u_model;                       // where the scene file places the model
uniform mat4 u_view_projection;
out vec3 v_world_position;
out vec3 v_world_normal;
out vec4 v_world_tangent;
out vec2 v_uv0;
out vec2 v_uv1;
out vec4 v_color;

// The normal matrix up to a positive scale: the cofactor matrix of the linear part, with
// the determinant's sign, so mirrored nodes (negative scale) keep outward normals.
mat3 normal_matrix(mat3 m) {
    mat3 cof = mat3(cross(m[1], m[2]), cross(m[2], m[0]), cross(m[0], m[1]));
    return dot(m[0], cof[0]) < 0.0 ? -cof : cof;
}

void main() {
    mat4 world = u_model * in_instance;
    vec4 p = world * vec4(in_position, 1.0);
    v_world_position = p.xyz;
    v_world_normal = normal_matrix(mat3(world)) * in_normal;
    v_world_tangent = vec4(mat3(world) * in_tangent.xyz, in_tangent.w);
    v_uv0 = in_uv0;
    v_uv1 = in_uv1;
    v_color = in_color;
    gl_Position = u_view_projection * p;
}
#endif

#if defined FRAGMENT_SHADER
in vec3 v_world_position;
in vec3 v_world_normal;
in vec4 v_world_tangent;
in vec2 v_uv0;
in vec2 v_uv1;
in vec4 v_color;

// Material (dofviewer/content/model.py: Material). Textures a material lacks are bound
// to 1×1 white (or flat-normal) stand-ins, so every read is the same code.
uniform vec4 u_base_color;
uniform sampler2D u_base_color_texture;       // sRGB, decoded by the sampler
uniform sampler2D u_metallic_roughness_texture;
uniform sampler2D u_normal_texture;
uniform sampler2D u_occlusion_texture;
uniform sampler2D u_emissive_texture;         // sRGB
// Per texture: the UV set (0 or 1) and the KHR_texture_transform matrix.
uniform int u_texcoord[5];
uniform mat3 u_uv_transform[5];
uniform float u_metallic;
uniform float u_roughness;
uniform float u_normal_scale;
uniform float u_occlusion_strength;
uniform vec3 u_emissive;
uniform float u_alpha_cutoff;
uniform vec3 u_sheen_color;
uniform float u_sheen_roughness;

uniform vec3 u_eye;             // camera position, world metres
uniform vec3 u_to_light;        // unit vector towards the key light
uniform vec3 u_light_color;
uniform vec3 u_ambient;
uniform uint u_object_id;

layout(location = 0) out vec4 out_color;
layout(location = 1) out uint out_object_id;

#if defined PEEL
uniform usampler2D u_first_ids;
#endif

const float PI = 3.14159265358979;
// Filament's floor on perceptual roughness: below it the GGX lobe is narrower than a
// pixel and highlights alias into single-pixel sparks.
const float MIN_ROUGHNESS = 0.045;
const int BASE = 0, METAL_ROUGH = 1, NORMAL = 2, OCCLUSION = 3, EMISSIVE = 4;

vec2 uv_for(int slot) {
    vec2 uv = u_texcoord[slot] == 1 ? v_uv1 : v_uv0;
    return (u_uv_transform[slot] * vec3(uv, 1.0)).xy;
}

#if defined NORMAL_MAP
// The shading normal with the normal map applied. Without glTF tangents, the cotangent
// frame is rebuilt from screen-space derivatives of position and UV (Schüler 2013).
vec3 mapped_normal(vec3 n) {
    vec2 uv = uv_for(NORMAL);
    vec3 t_normal = texture(u_normal_texture, uv).xyz * 2.0 - 1.0;
    t_normal.xy *= u_normal_scale;
#if defined TANGENTS
    vec3 t = normalize(v_world_tangent.xyz - n * dot(n, v_world_tangent.xyz));
    vec3 b = cross(n, t) * v_world_tangent.w;
#else
    vec3 dp1 = dFdx(v_world_position), dp2 = dFdy(v_world_position);
    vec2 duv1 = dFdx(uv), duv2 = dFdy(uv);
    vec3 dp2perp = cross(dp2, n), dp1perp = cross(n, dp1);
    vec3 t = dp2perp * duv1.x + dp1perp * duv2.x;
    vec3 b = dp2perp * duv1.y + dp1perp * duv2.y;
    float scale = inversesqrt(max(max(dot(t, t), dot(b, b)), 1e-30));
    t *= scale;
    b *= scale;
#endif
    vec3 mapped = t * t_normal.x + b * t_normal.y + n * t_normal.z;
    float len2 = dot(mapped, mapped);
    return len2 > 1e-12 ? mapped * inversesqrt(len2) : n;
}
#endif

#if defined SHEEN
// KHR_materials_sheen's lobe: the "Charlie" distribution (Estevez & Kulla 2017) with
// Neubelt & Pettineo's visibility, as the glTF spec suggests; and, for the flat ambient,
// its directional albedo approximated by a constant share (no lookup table).
const float SHEEN_AMBIENT_SHARE = 0.3;
vec3 sheen_direct(float n_dot_l, float n_dot_v, float n_dot_h) {
    float a = max(u_sheen_roughness * u_sheen_roughness, 1e-3);
    float sin2 = max(1.0 - n_dot_h * n_dot_h, 0.0);
    float distribution = (2.0 + 1.0 / a) * pow(sin2, 0.5 / a) / (2.0 * PI);
    float visibility = 1.0 / (4.0 * (n_dot_l + n_dot_v - n_dot_l * n_dot_v));
    return u_sheen_color * distribution * visibility;
}
#endif

// Karis's fit of the split-sum environment BRDF: the specular share of a uniform
// ambient, so metals are not black where the key light does not reach.
vec3 ambient_specular(vec3 f0, float roughness, float n_dot_v) {
    const vec4 c0 = vec4(-1.0, -0.0275, -0.572, 0.022);
    const vec4 c1 = vec4(1.0, 0.0425, 1.04, -0.04);
    vec4 r = roughness * c0 + c1;
    float a004 = min(r.x * r.x, exp2(-9.28 * n_dot_v)) * r.x + r.y;
    vec2 ab = vec2(-1.04, 1.04) * a004 + r.zw;
    return f0 * ab.x + ab.y;
}

void main() {
#if defined PEEL
    if (texelFetch(u_first_ids, ivec2(gl_FragCoord.xy), 0).r == u_object_id) discard;
#endif
    vec4 base = u_base_color * texture(u_base_color_texture, uv_for(BASE));
#if defined VERTEX_COLOR
    base *= v_color;
#endif
#if ALPHA_MODE == 1
    if (base.a < u_alpha_cutoff) discard;
#endif
#if ALPHA_MODE == 2
    float coverage = base.a;  // blended over what lies behind
#else
    float coverage = 1.0;
#endif
    vec3 emission = u_emissive * texture(u_emissive_texture, uv_for(EMISSIVE)).rgb;
#if defined UNLIT
    out_color = vec4(base.rgb + emission, coverage);
#else
    vec3 n = normalize(v_world_normal);
    if (!gl_FrontFacing) n = -n;  // double-sided: light the side we see
#if defined NORMAL_MAP
    n = mapped_normal(n);
#endif
    vec4 mr = texture(u_metallic_roughness_texture, uv_for(METAL_ROUGH));
    float metallic = clamp(u_metallic * mr.b, 0.0, 1.0);
    float roughness = clamp(u_roughness * mr.g, MIN_ROUGHNESS, 1.0);
    float occlusion = 1.0 + u_occlusion_strength
                          * (texture(u_occlusion_texture, uv_for(OCCLUSION)).r - 1.0);

    vec3 v = normalize(u_eye - v_world_position);
    vec3 l = u_to_light;
    vec3 h = normalize(l + v);
    float n_dot_l = max(dot(n, l), 0.0);
    float n_dot_v = max(dot(n, v), 1e-4);
    float n_dot_h = max(dot(n, h), 0.0);
    float v_dot_h = max(dot(v, h), 0.0);

    vec3 diffuse_color = base.rgb * (1.0 - metallic);
    vec3 f0 = mix(vec3(0.04), base.rgb, metallic);
    float a = roughness * roughness;
    float a2 = a * a;
    float d_denominator = n_dot_h * n_dot_h * (a2 - 1.0) + 1.0;
    float distribution = a2 / (PI * d_denominator * d_denominator);
    float visibility = 0.5 / max(n_dot_l * sqrt(n_dot_v * n_dot_v * (1.0 - a2) + a2)
                                 + n_dot_v * sqrt(n_dot_l * n_dot_l * (1.0 - a2) + a2), 1e-6);
    vec3 fresnel = f0 + (1.0 - f0) * pow(1.0 - v_dot_h, 5.0);
    // The BRDF times PI: the unit convention of lit.glsl, where light_color is what a
    // white Lambert surface facing the light returns.
    vec3 direct = (diffuse_color + PI * distribution * visibility * fresnel) * n_dot_l;
    vec3 ambient = (diffuse_color + ambient_specular(f0, roughness, n_dot_v)) * occlusion;
#if defined SHEEN
    direct += PI * sheen_direct(n_dot_l, n_dot_v, n_dot_h) * n_dot_l;
    ambient += u_sheen_color * SHEEN_AMBIENT_SHARE * occlusion;
#endif
    out_color = vec4(direct * u_light_color + ambient * u_ambient + emission, coverage);
#endif
    out_object_id = u_object_id;
}
#endif
