package io.faultfabric.engine;

/** Who receives a fault: the owner of the address space (iommufd) or the owner of the device (VFIO type1). */
public enum RoutingMode {
    /** The owner of the IOASID attached at (RID, PASID): the default. */
    OWNER,
    /** The device's owner, for every PASID of the device: one ring per device, as VFIO type1 nested proposed. */
    DEVICE
}
