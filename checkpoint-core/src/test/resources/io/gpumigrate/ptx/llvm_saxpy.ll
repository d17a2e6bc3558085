; saxpy and a shared-memory block sum in LLVM IR, for PTX as LLVM's NVPTX back end (clang's) emits it.
; Regenerate: llc -march=nvptx64 -mcpu=sm_80 llvm_saxpy.ll -o llvm_saxpy.ptx
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@partial = internal addrspace(3) global [128 x i32] undef, align 4

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
declare void @llvm.nvvm.barrier0()

define void @saxpy(float %a, float addrspace(1)* %x, float addrspace(1)* %y, i32 %n) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %ctaid = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %ntid = call i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
  %base = mul i32 %ctaid, %ntid
  %i = add i32 %base, %tid
  %inside = icmp slt i32 %i, %n
  br i1 %inside, label %body, label %exit
body:
  %idx = sext i32 %i to i64
  %px = getelementptr float, float addrspace(1)* %x, i64 %idx
  %py = getelementptr float, float addrspace(1)* %y, i64 %idx
  %vx = load float, float addrspace(1)* %px
  %vy = load float, float addrspace(1)* %py
  %m = fmul float %a, %vx
  %s = fadd float %m, %vy
  store float %s, float addrspace(1)* %py
  br label %exit
exit:
  ret void
}

define void @blockSum(i32 addrspace(1)* %in, i32 addrspace(1)* %out) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %idx = zext i32 %tid to i64
  %p = getelementptr i32, i32 addrspace(1)* %in, i64 %idx
  %v = load i32, i32 addrspace(1)* %p
  %slot = getelementptr [128 x i32], [128 x i32] addrspace(3)* @partial, i64 0, i64 %idx
  store i32 %v, i32 addrspace(3)* %slot
  call void @llvm.nvvm.barrier0()
  %first = icmp eq i32 %tid, 0
  br i1 %first, label %sum, label %done
sum:
  %k = phi i64 [ 0, %entry ], [ %k1, %sum ]
  %acc = phi i32 [ 0, %entry ], [ %acc1, %sum ]
  %q = getelementptr [128 x i32], [128 x i32] addrspace(3)* @partial, i64 0, i64 %k
  %w = load i32, i32 addrspace(3)* %q
  %acc1 = add i32 %acc, %w
  %k1 = add i64 %k, 1
  %more = icmp ult i64 %k1, 128
  br i1 %more, label %sum, label %store
store:
  store i32 %acc1, i32 addrspace(1)* %out
  br label %done
done:
  ret void
}

!nvvm.annotations = !{!0, !1}
!0 = !{void (float, float addrspace(1)*, float addrspace(1)*, i32)* @saxpy, !"kernel", i32 1}
!1 = !{void (i32 addrspace(1)*, i32 addrspace(1)*)* @blockSum, !"kernel", i32 1}
