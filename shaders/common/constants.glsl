const float PI = 3.14159265358979;
const float TWO_PI = 6.28318530717959;
