/*===- Launch.c - The launcher of norm's CUDA kernels ---------------------===*\
|*                                                                          *|
|* The driver API through dlopen: eight functions, resolved by the        *|
|* names cuda.h maps them to, so nothing here needs CUDA headers or         *|
|* libraries at build time.                                                 *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "norm/cuda.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext, *CUlibrary, *CUkernel, *CUfunction, *CUstream;

enum {
  CUDA_SUCCESS = 0,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
};

static struct {
  CUresult (*init)(unsigned);
  CUresult (*getErrorString)(CUresult, const char **);
  CUresult (*ctxGetCurrent)(CUcontext *);
  CUresult (*ctxGetDevice)(CUdevice *);
  CUresult (*deviceGetAttribute)(int *, int, CUdevice);
  CUresult (*libraryLoadData)(CUlibrary *, const void *, void *, void *,
                              unsigned, void *, void *, unsigned);
  CUresult (*libraryGetKernel)(CUkernel *, CUlibrary, const char *);
  CUresult (*launchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, CUstream, void **,
                           void **);
} driver;

/* lib/AOT/Cuda.cpp emits norm_cuda_module with this slot layout. */
_Static_assert(sizeof(norm_cuda_kernel_slot) == 64,
               "norm_cuda_kernel_slot must match the emitted module");

static pthread_once_t driverOnce = PTHREAD_ONCE_INIT;
static norm_status driverStatus = NORM_NO_CUDA;
static char driverMessage[256];
static pthread_mutex_t loadMutex = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char lastMessage[512];

static norm_status fail(norm_status status, const char *what, CUresult rc) {
  const char *text = NULL;
  if (driver.getErrorString)
    driver.getErrorString(rc, &text);
  snprintf(lastMessage, sizeof(lastMessage), "%s: CUDA error %d (%s)", what, rc,
           text ? text : "unknown");
  return status;
}

static void loadDriver(void) {
  /* NORM_CUDA_DRIVER names another driver library (tests, odd installs). */
  const char *name = getenv("NORM_CUDA_DRIVER");
  if (!name || !*name)
    name = "libcuda.so.1";
  void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(driverMessage, sizeof(driverMessage),
             "no CUDA driver: %s cannot be loaded", name);
    return;
  }
  struct {
    void **slot;
    const char *name;
  } symbols[] = {
      {(void **)&driver.init, "cuInit"},
      {(void **)&driver.getErrorString, "cuGetErrorString"},
      {(void **)&driver.ctxGetCurrent, "cuCtxGetCurrent"},
      {(void **)&driver.ctxGetDevice, "cuCtxGetDevice"},
      {(void **)&driver.deviceGetAttribute, "cuDeviceGetAttribute"},
      {(void **)&driver.libraryLoadData, "cuLibraryLoadData"},
      {(void **)&driver.libraryGetKernel, "cuLibraryGetKernel"},
      {(void **)&driver.launchKernel, "cuLaunchKernel"},
  };
  for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); ++i) {
    *symbols[i].slot = dlsym(lib, symbols[i].name);
    if (!*symbols[i].slot) {
      snprintf(driverMessage, sizeof(driverMessage),
               "no CUDA driver: libcuda.so.1 lacks %s (a driver for CUDA 12 "
               "or later is needed)",
               symbols[i].name);
      return;
    }
  }
  CUresult rc = driver.init(0);
  if (rc != CUDA_SUCCESS) {
    const char *text = NULL;
    driver.getErrorString(rc, &text);
    snprintf(driverMessage, sizeof(driverMessage),
             "no CUDA device: cuInit failed with error %d (%s)", rc,
             text ? text : "unknown");
    return;
  }
  driverStatus = NORM_OK;
}

norm_status norm_cuda_available(void) {
  pthread_once(&driverOnce, loadDriver);
  if (driverStatus != NORM_OK)
    snprintf(lastMessage, sizeof(lastMessage), "%s", driverMessage);
  return driverStatus;
}

const char *norm_cuda_error_message(void) { return lastMessage; }

/* Loads the module's device code once: the image for the current device's
 * chip first, then any other (PTX and fatbins load where a cubin for
 * another chip does not). */
static norm_status loadModule(norm_cuda_module *module, CUlibrary *out) {
  CUlibrary lib = __atomic_load_n(&module->library, __ATOMIC_ACQUIRE);
  if (lib) {
    *out = lib;
    return NORM_OK;
  }
  CUcontext ctx = NULL;
  CUresult rc = driver.ctxGetCurrent(&ctx);
  if (rc != CUDA_SUCCESS || !ctx) {
    snprintf(lastMessage, sizeof(lastMessage),
             "no current CUDA context on this thread (initialize CUDA, e.g. "
             "with cudaSetDevice or cuCtxSetCurrent, before launching)");
    return NORM_CUDA_ERROR;
  }
  CUdevice device;
  int major = 0, minor = 0;
  char chip[16] = "";
  if (driver.ctxGetDevice(&device) == CUDA_SUCCESS &&
      driver.deviceGetAttribute(&major,
                                CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                                device) == CUDA_SUCCESS &&
      driver.deviceGetAttribute(&minor,
                                CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                                device) == CUDA_SUCCESS)
    snprintf(chip, sizeof(chip), "sm_%d%d", major, minor);

  pthread_mutex_lock(&loadMutex);
  lib = module->library;
  norm_status status = NORM_OK;
  if (!lib) {
    rc = -1;
    for (int pass = 0; pass < 2 && !lib; ++pass) {
      for (int i = 0; i < module->count && !lib; ++i) {
        int exact = strcmp(module->images[i].chip, chip) == 0;
        if (exact != (pass == 0))
          continue;
        rc = driver.libraryLoadData(&lib, module->images[i].data, NULL, NULL, 0,
                                    NULL, NULL, 0);
        if (rc != CUDA_SUCCESS)
          lib = NULL;
      }
    }
    if (lib) {
      __atomic_store_n(&module->library, lib, __ATOMIC_RELEASE);
    } else {
      char what[128];
      snprintf(what, sizeof(what),
               "no image of this kernel loads on this device (%s)", chip);
      status = fail(NORM_CUDA_ERROR, what, rc);
    }
  }
  pthread_mutex_unlock(&loadMutex);
  *out = lib;
  return status;
}

/* The module's kernel named `name`: from its slots when an earlier launch
 * looked it up, else from the driver (then remembered in a free slot if
 * the name fits). Slots are written once, under loadMutex, and read
 * without a lock. */
static norm_status findKernel(norm_cuda_module *module, CUlibrary lib,
                              const char *name, CUkernel *out) {
  enum { kSlots = sizeof(module->kernels) / sizeof(module->kernels[0]) };
  for (int i = 0; i < kSlots; ++i) {
    norm_cuda_kernel_slot *slot = &module->kernels[i];
    if (__atomic_load_n(&slot->ready, __ATOMIC_ACQUIRE) &&
        strcmp(slot->name, name) == 0) {
      *out = slot->kernel;
      return NORM_OK;
    }
  }
  CUresult rc = driver.libraryGetKernel(out, lib, name);
  if (rc != CUDA_SUCCESS)
    return fail(NORM_CUDA_ERROR, "cuLibraryGetKernel", rc);
  size_t length = strlen(name);
  if (length >= sizeof(module->kernels[0].name))
    return NORM_OK;
  pthread_mutex_lock(&loadMutex);
  for (int i = 0; i < kSlots; ++i) {
    norm_cuda_kernel_slot *slot = &module->kernels[i];
    if (slot->ready && strcmp(slot->name, name) == 0)
      break; /* another thread was first */
    if (!slot->ready) {
      slot->kernel = *out;
      memcpy(slot->name, name, length + 1);
      __atomic_store_n(&slot->ready, 1, __ATOMIC_RELEASE);
      break;
    }
  }
  pthread_mutex_unlock(&loadMutex);
  return NORM_OK;
}

norm_status norm_cuda_launch(norm_cuda_module *module, const char *kernel,
                             unsigned grid_x, unsigned block_x,
                             unsigned block_y, void *stream, void **params) {
  if (!module || !kernel || !params || grid_x == 0 || block_x == 0 ||
      block_y == 0) {
    snprintf(lastMessage, sizeof(lastMessage), "invalid launch arguments");
    return NORM_INVALID_ARGUMENT;
  }
  norm_status status = norm_cuda_available();
  if (status != NORM_OK)
    return status;
  CUlibrary lib;
  if ((status = loadModule(module, &lib)) != NORM_OK)
    return status;
  CUkernel k;
  if ((status = findKernel(module, lib, kernel, &k)) != NORM_OK)
    return status;
  /* A CUkernel launches as a CUfunction, in the stream's context. */
  CUresult rc =
      driver.launchKernel((CUfunction)k, grid_x, 1, 1, block_x, block_y, 1, 0,
                          (CUstream)stream, params, NULL);
  if (rc != CUDA_SUCCESS)
    return fail(NORM_CUDA_ERROR, "cuLaunchKernel", rc);
  return NORM_OK;
}
