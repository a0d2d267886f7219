// Backward-weights convolution alone, f32 against bf16, in several layouts (oneDNN 2.6).
//   g++ -O2 -o /tmp/conv-backward-weights bench/conv-backward-weights.cpp -ldnnl
//   OMP_NUM_THREADS=1 /tmp/conv-backward-weights 64 128 7    # input channels, output channels, height = width
// Batch 128, 3x3, stride 1, padding 1; median of 7 calls after 3 warm-up calls on the same (warm) buffers.
#include <dnnl.hpp>
#include <chrono>
#include <cstdio>
#include <vector>
#include <algorithm>
#include <cstdlib>
#include <string>
using namespace dnnl; using tag = memory::format_tag; using dt = memory::data_type;
static double now(){return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();}
int main(int argc,char**argv){
  int N=128,C=atoi(argv[1]),O=atoi(argv[2]),H=atoi(argv[3]);
  engine eng(engine::kind::cpu,0); stream st(eng);
  memory::dims src{N,C,H,H}, wei{O,C,3,3}, dst{N,O,H,H}, str{1,1}, pad{1,1};
  auto run=[&](const char* label, dt d, tag act, dt dw){
    memory::desc s(src,d,act), w(wei,d,tag::any), ds(dst,d,act), dww(wei,dw,tag::any);
    auto fpd=convolution_forward::primitive_desc(convolution_forward::desc(prop_kind::forward_training,algorithm::convolution_direct,s,w,ds,str,pad,pad),eng);
    auto bpd=convolution_backward_weights::primitive_desc(convolution_backward_weights::desc(algorithm::convolution_direct,s,dww,ds,str,pad,pad),eng,fpd);
    memory sm(bpd.src_desc(),eng), dm(bpd.diff_dst_desc(),eng), wm(bpd.diff_weights_desc(),eng);
    auto p=convolution_backward_weights(bpd);
    for(int i=0;i<3;i++) p.execute(st,{{DNNL_ARG_SRC,sm},{DNNL_ARG_DIFF_DST,dm},{DNNL_ARG_DIFF_WEIGHTS,wm}});
    st.wait(); std::vector<double> t;
    for(int r=0;r<7;r++){double a=now(); p.execute(st,{{DNNL_ARG_SRC,sm},{DNNL_ARG_DIFF_DST,dm},{DNNL_ARG_DIFF_WEIGHTS,wm}}); st.wait(); t.push_back(now()-a);}
    std::sort(t.begin(),t.end());
    printf("%-28s %-32s %.2f ms\n",label,bpd.impl_info_str(),t[3]*1e3);
  };
  run("f32 any",dt::f32,tag::any,dt::f32);
  run("bf16 any dw f32",dt::bf16,tag::any,dt::f32);
  run("bf16 any dw bf16",dt::bf16,tag::any,dt::bf16);
  run("bf16 nhwc dw f32",dt::bf16,tag::nhwc,dt::f32);
  run("bf16 nchw dw f32",dt::bf16,tag::nchw,dt::f32);
  run("f32 nhwc",dt::f32,tag::nhwc,dt::f32);
}
