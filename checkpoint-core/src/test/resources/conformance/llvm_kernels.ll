; Kernels in LLVM IR, compiled by LLVM's NVPTX back end (llc), the code generator clang uses for
; CUDA: its PTX differs in style from nvcc's (register naming, parameter access, older .version).
; Regenerate with regen-ptx.sh (uses llc when it finds one).
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@partial = internal addrspace(3) global [128 x i32] undef, align 4

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
declare void @llvm.nvvm.barrier0()
declare float @llvm.fma.f32(float, float, float)

; out[i] = fma(a, x[i], (float) bytes[i]) + (float) (short) (bytes[i] * 300), for i < n
define void @mixed_widths(float addrspace(1)* %x, i8 addrspace(1)* %bytes, float addrspace(1)* %out, float %a, i32 %n) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %cta = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %ntid = call i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
  %base = mul i32 %cta, %ntid
  %i = add i32 %base, %tid
  %inside = icmp slt i32 %i, %n
  br i1 %inside, label %body, label %done
body:
  %idx = sext i32 %i to i64
  %px = getelementptr float, float addrspace(1)* %x, i64 %idx
  %vx = load float, float addrspace(1)* %px, align 4
  %pb = getelementptr i8, i8 addrspace(1)* %bytes, i64 %idx
  %vb = load i8, i8 addrspace(1)* %pb, align 1
  %fb = sitofp i8 %vb to float
  %f = call float @llvm.fma.f32(float %a, float %vx, float %fb)
  %w = sext i8 %vb to i16
  %m = mul i16 %w, 300
  %fm = sitofp i16 %m to float
  %r = fadd float %f, %fm
  %po = getelementptr float, float addrspace(1)* %out, i64 %idx
  store float %r, float addrspace(1)* %po, align 4
  br label %done
done:
  ret void
}

; Sum of each block's 128 ints by a shared-memory tree; block sums are added to *total atomically.
define void @block_sum(i32 addrspace(1)* %in, i32 addrspace(1)* %total) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %cta = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %base = mul i32 %cta, 128
  %i = add i32 %base, %tid
  %idx = zext i32 %i to i64
  %p = getelementptr i32, i32 addrspace(1)* %in, i64 %idx
  %v = load i32, i32 addrspace(1)* %p, align 4
  %t64 = zext i32 %tid to i64
  %slot = getelementptr [128 x i32], [128 x i32] addrspace(3)* @partial, i64 0, i64 %t64
  store i32 %v, i32 addrspace(3)* %slot, align 4
  call void @llvm.nvvm.barrier0()
  br label %loop
loop:
  %half = phi i32 [ 64, %entry ], [ %next, %latch ]
  %active = icmp ult i32 %tid, %half
  br i1 %active, label %add, label %latch
add:
  %other = add i32 %tid, %half
  %o64 = zext i32 %other to i64
  %oslot = getelementptr [128 x i32], [128 x i32] addrspace(3)* @partial, i64 0, i64 %o64
  %ov = load i32, i32 addrspace(3)* %oslot, align 4
  %mv = load i32, i32 addrspace(3)* %slot, align 4
  %sum = add i32 %mv, %ov
  store i32 %sum, i32 addrspace(3)* %slot, align 4
  br label %latch
latch:
  call void @llvm.nvvm.barrier0()
  %next = lshr i32 %half, 1
  %more = icmp ne i32 %next, 0
  br i1 %more, label %loop, label %finish
finish:
  %first = icmp eq i32 %tid, 0
  br i1 %first, label %publish, label %exit
publish:
  %bs = load i32, i32 addrspace(3)* getelementptr ([128 x i32], [128 x i32] addrspace(3)* @partial, i64 0, i64 0), align 4
  %old = atomicrmw add i32 addrspace(1)* %total, i32 %bs seq_cst
  br label %exit
exit:
  ret void
}

!nvvm.annotations = !{!0, !1}
!0 = !{void (float addrspace(1)*, i8 addrspace(1)*, float addrspace(1)*, float, i32)* @mixed_widths, !"kernel", i32 1}
!1 = !{void (i32 addrspace(1)*, i32 addrspace(1)*)* @block_sum, !"kernel", i32 1}
